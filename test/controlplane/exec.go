package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// runExec replaces this process with args[0], first asking the kernel to SIGKILL it when
// the process that started it goes away: a test worker that crashes or is killed must not
// leave etcd or kube-apiserver running.
func runExec(args []string) error {
	if len(args) < 1 {
		usage()
	}
	// The parent-death signal belongs to the thread, and execve keeps only the calling
	// thread: set it and exec from the same one.
	runtime.LockOSThread()
	ppid := os.Getppid()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		return fmt.Errorf("prctl(PR_SET_PDEATHSIG): %v", errno)
	}
	if os.Getppid() != ppid {
		os.Exit(1) // the parent died before the signal was armed
	}
	return syscall.Exec(args[0], args, os.Environ())
}
