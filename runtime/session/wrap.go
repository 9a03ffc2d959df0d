package session

import "google.golang.org/protobuf/types/known/wrapperspb"

func wrapString(s string) *wrapperspb.StringValue { return &wrapperspb.StringValue{Value: s} }
