module github.com/kamaelia-go/kamaelia

go 1.25

require (
	github.com/asticode/go-astiav v0.16.0
	github.com/stretchr/testify v1.12.1
	github.com/veandco/go-sdl2 v0.4.40
	github.com/ziutek/dvb v0.1.5
	go.uber.org/goleak v1.3.0
)

require (
	github.com/asticode/go-astikit v0.42.0 // indirect
	github.com/ziutek/textenc v0.1.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
