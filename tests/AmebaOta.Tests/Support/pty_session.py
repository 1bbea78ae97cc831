#!/usr/bin/env python3
"""Runs a command on a real pseudo-terminal, as a person at a terminal would, following a script of steps.

usage: pty_session.py STEPS_JSON STDERR_FILE|- -- COMMAND [ARG...]

The command is a session leader whose controlling terminal is the pty (stdin and stdout on it; stderr on the pty too,
or into STDERR_FILE). Steps, in order: {"expect": REGEX} waits (at most 30 s) for the terminal output to match;
{"send": TEXT} types TEXT (write "\\r" for Enter); {"hangup": true} closes the terminal (the kernel sends SIGHUP);
{"wait": true} waits for the command to exit. Prints one JSON object: the transcript (all terminal output), how the
command ended, and the step that failed, if any."""
import json, os, pty, re, select, signal, sys, time

steps = json.loads(sys.argv[1])
stderr_file = sys.argv[2]
command = sys.argv[sys.argv.index("--") + 1:]

pid, fd = pty.fork()
if pid == 0:
    if stderr_file != "-":
        err = os.open(stderr_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(err, 2)
    os.execvp(command[0], command)

output = b""
failed = None
open_fd = True

def pump(seconds):
    global output, open_fd
    if not open_fd:
        time.sleep(seconds)
        return
    ready, _, _ = select.select([fd], [], [], seconds)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if chunk:
            output += chunk

status = None
for step in steps:
    if "expect" in step:
        pattern = re.compile(step["expect"].encode())
        deadline = time.time() + 30
        while not pattern.search(output) and time.time() < deadline:
            pump(0.05)
        if not pattern.search(output):
            failed = f"expect {step['expect']!r}: not seen within 30 s"
            break
    elif "send" in step:
        os.write(fd, step["send"].encode())
    elif "hangup" in step:
        os.close(fd)
        open_fd = False
    elif "wait" in step:
        deadline = time.time() + 30
        while status is None and time.time() < deadline:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
            else:
                pump(0.05)
        if status is None:
            failed = "wait: the command did not exit within 30 s"
            break

if status is None:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

if open_fd:
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            output += chunk
        except OSError:
            break

print(json.dumps({
    "transcript": output.decode("utf-8", "replace"),
    "exitCode": os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None,
    "signal": os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None,
    "failed": failed,
}))
