// nakama-js calls the global fetch and WebSocket. Node 20 has fetch but no
// WebSocket, so the ws package provides it. This module is imported before
// nakama-js by nakama.mjs; import that, not this.
import { WebSocket } from 'ws';

globalThis.WebSocket = WebSocket;
