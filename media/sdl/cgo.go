//go:build cgo

package sdl

/*
#cgo pkg-config: sdl2
#include <SDL.h>
#include <stdint.h>

extern void kgAudioCallback(void *user, Uint8 *stream, int len);

// kg_open_audio opens the default output device for 16-bit native-endian
// samples, pulled by kgAudioCallback; SDL converts to what the device
// wants. It returns 0 on failure.
static SDL_AudioDeviceID kg_open_audio(int freq, int channels, int samples, uintptr_t user) {
	SDL_AudioSpec want, have;
	SDL_zero(want);
	want.freq = freq;
	want.format = AUDIO_S16SYS;
	want.channels = (Uint8)channels;
	want.samples = (Uint16)samples;
	want.callback = kgAudioCallback;
	want.userdata = (void *)user;
	return SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
}

// kg_push_user pushes an event of type t with code c on SDL's queue. The
// event lives on the C stack at SDL's full size, so the race detector's
// pointer checks have nothing to object to (go-sdl2's PushEvent passes a
// smaller Go struct as an SDL_Event).
static int kg_push_user(Uint32 t, Sint32 c) {
	SDL_Event e;
	SDL_zero(e);
	e.type = t;
	e.user.code = c;
	return SDL_PushEvent(&e);
}

// kg_push_mouse pushes a mouse button event at (x, y) of window id.
static int kg_push_mouse(Uint32 window, int down, Uint8 button, Sint32 x, Sint32 y) {
	SDL_Event e;
	SDL_zero(e);
	e.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
	e.button.windowID = window;
	e.button.button = button;
	e.button.state = down ? SDL_PRESSED : SDL_RELEASED;
	e.button.clicks = 1;
	e.button.x = x;
	e.button.y = y;
	return SDL_PushEvent(&e);
}

// kg_push_motion pushes a mouse motion event to (x, y) of window id with
// the buttons of state held.
static int kg_push_motion(Uint32 window, Uint32 state, Sint32 x, Sint32 y) {
	SDL_Event e;
	SDL_zero(e);
	e.type = SDL_MOUSEMOTION;
	e.motion.windowID = window;
	e.motion.state = state;
	e.motion.x = x;
	e.motion.y = y;
	return SDL_PushEvent(&e);
}

// kg_push_wheel pushes a mouse wheel event of dy notches (positive away
// from the user).
static int kg_push_wheel(Uint32 window, Sint32 dy) {
	SDL_Event e;
	SDL_zero(e);
	e.type = SDL_MOUSEWHEEL;
	e.wheel.windowID = window;
	e.wheel.y = dy;
	e.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
	return SDL_PushEvent(&e);
}

// kg_push_key pushes a key event for keycode k.
static int kg_push_key(Uint32 window, int down, Sint32 k) {
	SDL_Event e;
	SDL_zero(e);
	e.type = down ? SDL_KEYDOWN : SDL_KEYUP;
	e.key.windowID = window;
	e.key.state = down ? SDL_PRESSED : SDL_RELEASED;
	e.key.keysym.sym = k;
	e.key.keysym.scancode = SDL_GetScancodeFromKey(k);
	return SDL_PushEvent(&e);
}
*/
import "C"

import (
	"fmt"

	"github.com/veandco/go-sdl2/sdl"
)

func pushUser(t uint32, code int32) error {
	if C.kg_push_user(C.Uint32(t), C.Sint32(code)) < 0 {
		return fmt.Errorf("SDL_PushEvent: %w", sdl.GetError())
	}
	return nil
}

func pushMouse(window uint32, down bool, button uint8, x, y int32) error {
	d := C.int(0)
	if down {
		d = 1
	}
	if C.kg_push_mouse(C.Uint32(window), d, C.Uint8(button), C.Sint32(x), C.Sint32(y)) < 0 {
		return fmt.Errorf("SDL_PushEvent: %w", sdl.GetError())
	}
	return nil
}

func pushMotion(window, state uint32, x, y int32) error {
	if C.kg_push_motion(C.Uint32(window), C.Uint32(state), C.Sint32(x), C.Sint32(y)) < 0 {
		return fmt.Errorf("SDL_PushEvent: %w", sdl.GetError())
	}
	return nil
}

func pushWheel(window uint32, dy int32) error {
	if C.kg_push_wheel(C.Uint32(window), C.Sint32(dy)) < 0 {
		return fmt.Errorf("SDL_PushEvent: %w", sdl.GetError())
	}
	return nil
}

func pushKey(window uint32, down bool, key sdl.Keycode) error {
	d := C.int(0)
	if down {
		d = 1
	}
	if C.kg_push_key(C.Uint32(window), d, C.Sint32(key)) < 0 {
		return fmt.Errorf("SDL_PushEvent: %w", sdl.GetError())
	}
	return nil
}

func openAudio(rate, channels, samples int, user uintptr) (uint32, error) {
	id := C.kg_open_audio(C.int(rate), C.int(channels), C.int(samples), C.uintptr_t(user))
	if id == 0 {
		return 0, sdl.GetError()
	}
	return uint32(id), nil
}
