namespace AmebaOta;

/// <summary>
/// Reads a file the user named as input (an image, a flash file), refusing before reading anything that is not a regular
/// file with content or is larger than allowed: a directory, <c>/dev/zero</c> or another device (endless), a FIFO (opening
/// it would wait for a writer), a socket. On Linux all of those report a size of 0, so a file that reports 0 bytes is
/// never opened. The read itself is bounded too, in case the file grows between the check and the read.
/// </summary>
public static class InputFile
{
    /// <summary>
    /// The whole content of <paramref name="path"/>, at most <paramref name="maxBytes"/> bytes. Refusals go through
    /// <paramref name="refuse"/> (one line each, e.g. <c>m =&gt; new ImageFormatException(m)</c>); a missing file is a
    /// <see cref="FileNotFoundException"/>. <paramref name="what"/> names the kind of file ("an image file").
    /// <paramref name="checkLength"/>, when given, words the refusal of a size the caller cannot use (null: fine); it is
    /// asked before the generic refusals of an empty or special file and of a file over <paramref name="maxBytes"/>.
    /// Messages name the file <paramref name="shownAs"/> when given (the user's name for a file reached through a link).
    /// </summary>
    public static byte[] ReadAll(string path, string what, long maxBytes, Func<string, Exception> refuse, Func<long, string?>? checkLength = null,
        string? shownAs = null)
    {
        string name = shownAs ?? path;
        if (Directory.Exists(path)) throw refuse($"'{name}' is a directory, not {what}");
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{Unarticled(what)} '{name}' does not exist", name);
        if (checkLength?.Invoke(info.Length) is { } refusal) throw refuse(refusal);
        if (info.Length == 0)
            throw refuse($"'{name}' is not {what}: it is empty, or not a regular file (a device such as /dev/zero, a pipe, a socket)");
        if (info.Length > maxBytes)
            throw refuse($"'{name}' is not {what}: it is {info.Length} bytes, more than {maxBytes} ({Describe(maxBytes)})");

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        var bytes = new byte[info.Length];
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length) return bytes[..read];
        if (stream.ReadByte() >= 0)
            throw refuse($"'{name}' is not {what}: it grew past {info.Length} bytes while being read (is something writing it?)");
        return bytes;
    }

    private static string Unarticled(string what) =>
        what.StartsWith("an ", StringComparison.Ordinal) ? what[3..] : what.StartsWith("a ", StringComparison.Ordinal) ? what[2..] : what;

    private static string Describe(long bytes) => bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes} bytes";
}
