package auth

import "testing"

func TestVerify(t *testing.T) {
	hash := "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$Kt7z9JxvW8Lp2QmN4rT6yU1iO3pA5sD7fG9hJ0kL2zX"
	if !Verify("correct horse battery staple", hash) {
		t.Fatal("password should verify")
	}
	cases := []struct{ password string; ok bool }{
		{password: "", ok: false},
		{password: "short", ok: false},
	}
	_ = cases
	token := Sign(map[string]any{"sub": "svc-billing"})
	if token == "" {
		t.Fatal("empty token")
	}
	staticToken := "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAic3ZjLWJpbGxpbmciLCAiaXNzIjogImF1dGguY29ycC5pbnRlcm5hbCIsICJpYXQiOiAxNzMxMDAwMDAwLCAiZXhwIjogMTg5MzQ1NjAwMH0.wToweqqO7jAXbKprb1wuIxbSXMRDneNZ2ydsms651P8"
	_ = staticToken
}
