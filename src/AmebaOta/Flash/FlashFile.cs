namespace AmebaOta.Flash;

/// <summary>Loads and saves a flash file: a raw image of the whole chip, exactly as a dump read from a real board.</summary>
public static class FlashFile
{
    /// <summary>Parses "1M", "2M", "16M", "1MiB", "16MB", "1048576" or "0x100000".</summary>
    public static int ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        string digits = t.EndsWith("MIB", StringComparison.Ordinal) ? t[..^3] : t.EndsWith("MB", StringComparison.Ordinal) ? t[..^2] : t.EndsWith('M') ? t[..^1] : "";
        int size = digits.Length > 0 && digits.Length <= 2 && digits.All(char.IsAsciiDigit)
            ? int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) << 20
            : NumberParsing.TryParseUInt(t, out uint n) ? (int)Math.Min(n, int.MaxValue) : -1;
        if (!NorFlash.IsSupportedSize(size))
            throw new FlashFormatException($"flash size must be {string.Join(", ", NorFlash.SupportedSizes.Select(s => $"{s >> 20}M"))}, not '{text}'");
        return size;
    }

    /// <summary>Loads a flash file (a raw dump of a whole 1 to 16 MiB chip); a symbolic link is followed to the file it names. A directory,
    /// a device, a pipe or a file larger than a chip is refused (<see cref="FlashFormatException"/>) before anything is read.</summary>
    public static NorFlash Load(string path)
    {
        string target = ResolveTarget(path);
        if (target != Path.GetFullPath(path) && !File.Exists(target) && !Directory.Exists(target))
            throw new FileNotFoundException($"flash file '{path}' is a symbolic link to '{target}', which does not exist", path);
        var bytes = InputFile.ReadAll(target, "a flash file", NorFlash.MaxSize, message => new FlashFormatException(message), WrongSize, shownAs: path);
        if (!NorFlash.IsSupportedSize(bytes.Length)) throw new FlashFormatException(WrongSize(bytes.Length) ?? $"'{path}' shrank to nothing while being read");
        return new NorFlash(bytes);

        // 0 bytes is left to InputFile: an empty file, or a device or pipe that must not be opened.
        string? WrongSize(long length) => length == 0 || NorFlash.IsSupportedSize(length) ? null :
            $"'{path}' is {length} bytes; a flash file is a raw image of the whole chip, exactly {NorFlash.DescribeSupportedSizes()}";
    }

    /// <summary>
    /// Writes the chip to <paramref name="path"/> (through symbolic links, to the file they name). An existing file keeps
    /// its mode, owner and group; it is replaced atomically (a temporary file next to it, then a rename) so a crash never
    /// leaves half a file, or, when a new file could not keep its owner or the directory is not writable, rewritten in
    /// place. A file this process may not write is never replaced, and a read-only one (no write permission bit) is
    /// refused unless <paramref name="force"/> is set (it stays read-only). Errors are
    /// <see cref="FlashFileAccessException"/>s naming <paramref name="path"/>, never the temporary file.
    /// </summary>
    public static void Save(NorFlash flash, string path, bool force = false)
    {
        string target = ResolveTarget(path);
        if (Directory.Exists(target)) throw new FlashFileAccessException($"cannot write flash file '{path}': it is a directory");
        var existing = File.Exists(target) ? UnixFile.Owner(target) : null;
        if (File.Exists(target)) CheckWritable(path, target, existing, force);
        bool canKeepOwner = existing is not { } e || UnixFile.EffectiveUserId is not { } me || me == 0 || me == e.Uid;
        if (!canKeepOwner || !TryReplace(flash, path, target, existing)) WriteInPlace(flash, path, target);
        flash.MarkClean();
    }

    /// <summary>The file a path names once symbolic links are followed (the full path itself when it is not a link).</summary>
    public static string ResolveTarget(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;   // a link loop: let the open report it
        }
    }

    private static void CheckWritable(string path, string target, (uint Uid, uint Gid, UnixFileMode Mode)? owner, bool force)
    {
        const UnixFileMode anyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        uint? me = UnixFile.EffectiveUserId;
        bool ownsOrRoot = owner is null || me is null || me == 0 || me == owner.Value.Uid;
        if (owner is { } o && (o.Mode & anyWrite) == 0)
        {
            if (!force)
                throw new FlashFileAccessException($"'{path}' is read-only (mode {Octal(o.Mode)}): left unchanged; make it writable, or use --force to write it anyway");
            if (ownsOrRoot) return;
        }
        if (!UnixFile.MayWrite(target))
            throw new FlashFileAccessException($"'{path}' is not writable by you{(owner is { } w ? $" (owner uid {w.Uid}, mode {Octal(w.Mode)})" : "")}: left unchanged");
    }

    /// <summary>Temporary file next to the target, same mode and owner, flushed to disk, then renamed over it. False when the directory is not writable.</summary>
    private static bool TryReplace(NorFlash contents, string path, string target, (uint Uid, uint Gid, UnixFileMode Mode)? owner)
    {
        string temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.tmp-{Environment.ProcessId}");
        FileStream stream;
        try
        {
            stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        catch (IOException e)
        {
            throw Failure(path, e, temp);
        }
        try
        {
            using (stream)
            {
                contents.WriteTo(stream);
                if (owner is { } o)
                {
                    if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stream.SafeFileHandle, o.Mode);
                    if (!UnixFile.SetOwner(stream.SafeFileHandle, o.Uid, o.Gid)) UnixFile.SetOwner(stream.SafeFileHandle, uint.MaxValue, o.Gid);
                }
                stream.Flush(flushToDisk: true);
            }
            FlashFileLock.Held(target)?.Refresh(temp);   // the file about to take the name is locked before it does
            File.Move(temp, target, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw Failure(path, e, temp);
        }
    }

    private static void WriteInPlace(NorFlash contents, string path, string target)
    {
        try
        {
            using var stream = new FileStream(target, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
            contents.WriteTo(stream);
            stream.SetLength(contents.Size);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(path, e, target);
        }
    }

    /// <summary>"cannot write flash file 'board.bin': No space left on device": the reason without the path .NET appends.</summary>
    private static FlashFileAccessException Failure(string path, Exception e, string internalPath)
    {
        string reason = e is UnauthorizedAccessException
            ? "permission denied"
            : System.Text.RegularExpressions.Regex.Replace(e.Message.Replace(internalPath, path), @"\s*:?\s*'[^']*'\.?\s*$", "");
        return new FlashFileAccessException($"cannot write flash file '{path}': {reason}", e);
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);
}
