package wire

import (
	"time"

	"github.com/heroiclabs/nakama-common/api"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/arbiterhq/arbiter/runtime"
)

// Timestamp converts t, leaving the zero time out as Nakama does.
func Timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// User converts a user.
func User(u runtime.User) *api.User {
	return &api.User{
		Id:          u.ID,
		Username:    u.Username,
		DisplayName: u.DisplayName,
		AvatarUrl:   u.AvatarURL,
		LangTag:     u.LangTag,
		Location:    u.Location,
		Timezone:    u.Timezone,
		Metadata:    u.Metadata,
		Online:      u.Online,
		EdgeCount:   int32(u.EdgeCount),
		CreateTime:  Timestamp(u.CreateTime),
		UpdateTime:  Timestamp(u.UpdateTime),
	}
}

// Users converts a list of users.
func Users(us []runtime.User) *api.Users {
	out := &api.Users{Users: make([]*api.User, len(us))}
	for i, u := range us {
		out.Users[i] = User(u)
	}
	return out
}

// Account converts an account. The disable time is never shown to clients.
func Account(a runtime.Account) *api.Account {
	out := &api.Account{
		User:       User(a.User),
		Wallet:     a.Wallet,
		Email:      a.Email,
		CustomId:   a.CustomID,
		VerifyTime: Timestamp(a.VerifyTime),
	}
	for _, d := range a.Devices {
		out.Devices = append(out.Devices, &api.AccountDevice{Id: d})
	}
	return out
}

// Object converts a storage object.
func Object(o runtime.Object) *api.StorageObject {
	return &api.StorageObject{
		Collection:      o.Collection,
		Key:             o.Key,
		UserId:          o.UserID,
		Value:           o.Value,
		Version:         o.Version,
		PermissionRead:  int32(o.PermissionRead),
		PermissionWrite: int32(o.PermissionWrite),
		CreateTime:      Timestamp(o.CreateTime),
		UpdateTime:      Timestamp(o.UpdateTime),
	}
}

// Objects converts a list of storage objects.
func Objects(os []runtime.Object) []*api.StorageObject {
	out := make([]*api.StorageObject, len(os))
	for i, o := range os {
		out[i] = Object(o)
	}
	return out
}

// Acks converts storage write acknowledgements.
func Acks(as []runtime.ObjectAck) *api.StorageObjectAcks {
	out := &api.StorageObjectAcks{Acks: make([]*api.StorageObjectAck, len(as))}
	for i, a := range as {
		out.Acks[i] = &api.StorageObjectAck{
			Collection: a.Collection,
			Key:        a.Key,
			Version:    a.Version,
			UserId:     a.UserID,
			CreateTime: Timestamp(a.CreateTime),
			UpdateTime: Timestamp(a.UpdateTime),
		}
	}
	return out
}
