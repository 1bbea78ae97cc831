using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace AmebaOta.Flash;

/// <summary>
/// What .NET does not say about a file on Linux: its owner, whether this process may write it, and an open-file-description
/// lock (F_OFD_SETLK: held per open file, not per process, so closing another descriptor of the same file never drops
/// it, and it does not conflict with the flock() .NET takes when opening files). Elsewhere these answer "unknown".
/// Blittable signatures only, so native AOT needs no marshalling.
/// </summary>
internal static class UnixFile
{
    private const int AtFdCwd = -100, WriteOk = 2, StatxBasicStats = 0x7ff, FOfdSetLk = 37;
    private const short FWrLck = 1;

    /// <summary>Owner, group and permission bits; null when unknown (not Linux, or the call failed).</summary>
    public static (uint Uid, uint Gid, UnixFileMode Mode)? Owner(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new Statx();
        var name = NullTerminated(path);
        if (StatxCall(AtFdCwd, ref MemoryMarshal.GetArrayDataReference(name), 0, StatxBasicStats, ref buffer) != 0) return null;
        return (buffer.Uid, buffer.Gid, (UnixFileMode)(buffer.Mode & 0xfff));
    }

    /// <summary>True for a regular file (after following links), false for a device, pipe, socket or directory; null when unknown.</summary>
    public static bool? IsRegularFile(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new Statx();
        var name = NullTerminated(path);
        if (StatxCall(AtFdCwd, ref MemoryMarshal.GetArrayDataReference(name), 0, StatxBasicStats, ref buffer) != 0) return null;
        return (buffer.Mode & 0xf000) == 0x8000;   // S_IFMT, S_IFREG
    }

    /// <summary>access(W_OK): may this process write the file? (Root may write anything; check the mode bits as well.) True when unknown.</summary>
    public static bool MayWrite(string path)
    {
        if (!OperatingSystem.IsLinux()) return true;
        var name = NullTerminated(path);
        return Access(ref MemoryMarshal.GetArrayDataReference(name), WriteOk) == 0;
    }

    public static uint? EffectiveUserId => OperatingSystem.IsLinux() ? GetEffectiveUserId() : null;

    /// <summary>Sets owner and group of an open file (-1: unchanged); false when not allowed.</summary>
    public static bool SetOwner(SafeFileHandle file, uint uid, uint gid) =>
        !OperatingSystem.IsLinux() || FileChown((int)file.DangerousGetHandle(), uid, gid) == 0;

    /// <summary>Takes a write lock on the whole file without waiting: false when another open file holds one. True on other systems.</summary>
    public static bool TryLock(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux()) return true;
        var request = new FileLockRequest { Type = FWrLck };
        return FileControlLock((int)file.DangerousGetHandle(), FOfdSetLk, ref request) == 0;
    }

    private static byte[] NullTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    /// <summary>The start of <c>struct statx</c> (256 bytes in all); the same layout on every Linux architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
    }

    /// <summary><c>struct flock</c> on 64-bit Linux: type, whence, start, length (0: to the end and beyond), pid (0 for OFD locks).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileLockRequest
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatxCall(int dirFd, ref byte path, int flags, uint mask, ref Statx buffer);

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access(ref byte path, int mode);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    [DllImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static extern int FileChown(int fd, uint uid, uint gid);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int FileControlLock(int fd, int command, ref FileLockRequest request);
}
