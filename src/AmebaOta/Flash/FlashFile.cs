namespace AmebaOta.Flash;

/// <summary>Loads and saves a flash file: a raw image of the whole chip, exactly as a dump read from a real board.</summary>
public static class FlashFile
{
    /// <summary>Parses "1M", "2M", "1MiB", "1048576" or "0x100000".</summary>
    public static int ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        int size = t switch
        {
            "1M" or "1MB" or "1MIB" => FlashLayout.OneMiB,
            "2M" or "2MB" or "2MIB" => FlashLayout.TwoMiB,
            _ => NumberParsing.TryParseUInt(t, out uint n) ? (int)Math.Min(n, int.MaxValue) : -1,
        };
        if (!FlashLayout.IsValidChipSize(size))
            throw new FlashFormatException($"flash size must be 1M or 2M, not '{text}'");
        return size;
    }

    /// <summary>Loads a flash file (a raw 1 or 2 MiB dump). A directory, a device, a pipe or a file larger than a chip is
    /// refused (<see cref="FlashFormatException"/>) before anything is read.</summary>
    public static NorFlash Load(string path)
    {
        var bytes = InputFile.ReadAll(path, "a flash file", FlashLayout.TwoMiB, message => new FlashFormatException(message), WrongSize);
        if (!FlashLayout.IsValidChipSize(bytes.Length)) throw new FlashFormatException(WrongSize(bytes.Length) ?? $"'{path}' shrank to nothing while being read");
        return new NorFlash(bytes);

        // 0 bytes is left to InputFile: an empty file, or a device or pipe that must not be opened.
        string? WrongSize(long length) => length == 0 || FlashLayout.IsValidChipSize(length) ? null :
            $"'{path}' is {length} bytes; a flash file is a raw image of the whole chip, exactly 1 MiB (1048576 bytes) or 2 MiB (2097152 bytes)";
    }

    /// <summary>Writes the chip to <paramref name="path"/> atomically (temporary file, then rename), so a crash never leaves half a file.</summary>
    public static void Save(NorFlash flash, string path)
    {
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(flash.Contents);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        flash.MarkClean();
    }
}
