namespace AmebaOta.Flash;

/// <summary>
/// Holds a flash file for one running board, so a second board on the same file (by any path or link to it) is refused
/// instead of both writing it back in turn. On Linux it is a write lock on the open file (F_OFD_SETLK), which readers
/// (<c>flash info</c>, <c>flash boot</c>) do not notice. <see cref="FlashFile.Save"/> replaces the file with a new one
/// by renaming; it locks the new file before the rename, so the file under the name is never unlocked while the board
/// runs. Dispose to release.
/// </summary>
public sealed class FlashFileLock : IDisposable
{
    private static readonly Dictionary<string, FlashFileLock> HeldByTarget = new(StringComparer.Ordinal);
    private readonly string _path;
    private readonly string _target;
    private FileStream _handle;

    private FlashFileLock(string path, string target, FileStream handle)
    {
        _path = path;
        _target = target;
        _handle = handle;
    }

    /// <summary>
    /// Locks <paramref name="path"/> (followed through symbolic links) for a board that reads and writes it back. Throws
    /// <see cref="FlashFileAccessException"/> when another board holds it or it cannot be written, and
    /// <see cref="FileNotFoundException"/> when it does not exist.
    /// </summary>
    public static FlashFileLock Acquire(string path)
    {
        string target = FlashFile.ResolveTarget(path);
        if (Directory.Exists(target)) throw new FlashFormatException($"'{path}' is a directory, not a flash file");
        if (!File.Exists(target)) throw new FileNotFoundException($"flash file '{path}' does not exist", path);
        var owner = UnixFile.Owner(target);
        if (owner is { } o && (o.Mode & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0)
            throw new FlashFileAccessException($"'{path}' is read-only (mode 0{Convert.ToString((int)o.Mode, 8)}): the board writes its flash back to it; make it writable (chmod u+w)");
        if (!UnixFile.MayWrite(target))
            throw new FlashFileAccessException($"'{path}' is not writable by you: the board writes its flash back to it");
        var held = new FlashFileLock(path, target, Open(path, target));
        lock (HeldByTarget)
        {
            if (HeldByTarget.ContainsKey(target))
            {
                held._handle.Dispose();
                throw InUse(path);
            }
            HeldByTarget[target] = held;
        }
        return held;
    }

    /// <summary>Locks every file of <paramref name="paths"/> (all or none); dispose the result to release them all.</summary>
    public static IDisposable AcquireAll(IEnumerable<string> paths)
    {
        var held = new List<FlashFileLock>();
        try
        {
            foreach (var path in paths) held.Add(Acquire(path));
        }
        catch
        {
            foreach (var l in held) l.Dispose();
            throw;
        }
        return new Group(held);
    }

    private sealed class Group(List<FlashFileLock> locks) : IDisposable
    {
        public void Dispose()
        {
            foreach (var l in locks) l.Dispose();
        }
    }

    /// <summary>The lock this process holds on <paramref name="target"/> (a resolved path), if any.</summary>
    internal static FlashFileLock? Held(string target)
    {
        lock (HeldByTarget) return HeldByTarget.GetValueOrDefault(target);
    }

    /// <summary>Moves the lock to <paramref name="file"/>, the file about to be renamed to the held name.</summary>
    internal void Refresh(string file)
    {
        var next = Open(_path, file);
        var previous = _handle;
        _handle = next;
        previous.Dispose();
    }

    private static FileStream Open(string path, string file)
    {
        FileStream handle;
        try
        {
            handle = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FlashFileAccessException($"'{path}' is not writable by you: the board writes its flash back to it", e);
        }
        if (UnixFile.TryLock(handle.SafeFileHandle)) return handle;
        handle.Dispose();
        throw InUse(path);
    }

    private static FlashFileAccessException InUse(string path) =>
        new($"'{path}' is in use by another running board (device run or device farm): stop it first, or give this board its own copy of the flash file");

    /// <summary>Releases the flash file.</summary>
    public void Dispose()
    {
        lock (HeldByTarget)
        {
            if (HeldByTarget.GetValueOrDefault(_target) == this) HeldByTarget.Remove(_target);
        }
        _handle.Dispose();
    }
}
