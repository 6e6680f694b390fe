#!/usr/bin/env python3
"""Runs a command and measures it with its whole process tree, for bench/n8n.js.

Usage: measure-process.py RESULT.json COMMAND [ARGS...]

stdin/stdout/stderr go straight to the command. Writes to RESULT.json:
  code       exit code of the command (negative: killed by that signal)
  wall       seconds from start until the command itself exited
  user, sys  CPU seconds of the command and every descendant (getrusage(RUSAGE_CHILDREN));
             this process is a child subreaper, so descendants that outlive their parent (n8n's
             task runner) are reparented here, reaped, and counted too
  peakTreeKiB  highest sum of VmRSS over the tree, sampled every 100 ms
  maxHwmKiB    highest VmHWM (exact peak RSS) of any single process of the tree
Only the standard library and Linux /proc.
"""
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
SAMPLE_SECONDS = 0.1
LEFTOVER_GRACE_SECONDS = 5


def status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def descendants(root):
    """Pids whose parent chain leads to root (read from /proc/*/stat)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        # the command name is in parentheses and may contain spaces
        fields = text[text.rindex(")") + 2:].split()
        parent[int(entry)] = int(fields[1])
    found = []
    for pid in parent:
        p = parent.get(pid)
        hops = 0
        while p and p != root and hops < 64:
            p = parent.get(p)
            hops += 1
        if p == root:
            found.append(pid)
    return found


def main():
    result_file, command = sys.argv[1], sys.argv[2:]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    me = os.getpid()
    started = time.monotonic()
    child = subprocess.Popen(command)
    wall = None
    code = None
    peak_tree = 0
    max_hwm = 0
    leftover_deadline = None
    while True:
        tree = descendants(me)
        peak_tree = max(peak_tree, sum(status_kib(pid, "VmRSS") for pid in tree))
        for pid in tree:
            max_hwm = max(max_hwm, status_kib(pid, "VmHWM"))
        # reap whatever has exited: the command itself and orphans reparented to us
        try:
            while True:
                pid, status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                if pid == child.pid:
                    wall = time.monotonic() - started
                    code = os.waitstatus_to_exitcode(status)
                    child.returncode = code
                    leftover_deadline = time.monotonic() + LEFTOVER_GRACE_SECONDS
        except ChildProcessError:
            break  # no children left
        if leftover_deadline and time.monotonic() > leftover_deadline:
            for pid in descendants(me):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(SAMPLE_SECONDS)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "code": code,
        "wall": wall,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "peakTreeKiB": peak_tree,
        "maxHwmKiB": max(max_hwm, usage.ru_maxrss),
    }
    with open(result_file, "w") as out:
        json.dump(result, out)
    sys.exit(0 if code == 0 else 1)


if __name__ == "__main__":
    main()
