package ocr

// LimitThreads does nothing on Windows: the tesseract cotejo.exe ships is built without
// OpenMP (dist/windows/build-deps.sh), so there is no thread limit to set, and Windows
// has no exec to re-run the program in place.
func LimitThreads() error { return nil }
