module cotejo

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/ThalesGroup/crypto11 v1.5.0
	github.com/digitorus/timestamp v0.0.0-20250524132541-c45532741eea
	github.com/miekg/pkcs11 v1.1.2
	go.uber.org/goleak v1.3.0
)

require (
	al.essio.dev/pkg/shellescape v1.5.1 // indirect
	github.com/danieljoos/wincred v1.2.2 // indirect
	github.com/digitorus/pkcs7 v0.0.0-20230713084857-e76b763bdc49 // indirect
	github.com/godbus/dbus/v5 v5.1.0 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/thales-e-security/pool v0.0.2 // indirect
	github.com/zalando/go-keyring v0.2.6 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/crypto v0.45.0 // indirect
	golang.org/x/sys v0.45.0 // indirect
)
