/*
 * Wine 8.0 (Debian 12's) lacks bcryptprimitives.dll, whose ProcessPrng the Go runtime
 * (1.24 on) loads at start from the system folder: without it no Go program starts. This
 * stand-in exists for testing cotejo.exe under that Wine only (TestWindowsBuild copies it
 * into its Wine prefix's system32); it is never shipped, since every Windows Go supports
 * (10 and later) has the real one. It fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine implements with the host's random source.
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
