using AmebaOta.Images;

namespace AmebaOta.Protocol.Serving;

/// <summary>An image a server hands out, as its logs and control replies describe it.</summary>
public interface IServedImage
{
    /// <summary>Where it came from (a file name), for logs; null when built in memory.</summary>
    string? Name { get; }

    /// <summary>The u32 wrapping byte-sum of the file.</summary>
    uint Checksum { get; }

    /// <summary>File length in bytes.</summary>
    long Length { get; }

    /// <summary>One phrase for logs: <c>v2.bin (262144 bytes, checksum 33408944, version 2)</c>.</summary>
    string Description { get; }
}

/// <summary>What the file watcher and the control endpoint need of a server's image: the current one, and how to take a new one.</summary>
public interface IImageSource
{
    /// <summary>The snapshot new requests get (null: nothing is served).</summary>
    IServedImage? Current { get; }

    /// <summary>Loads a file and swaps it in if it is whole, passes the checks and differs from the current image.</summary>
    PullReload Reload(string path);

    /// <summary>Swaps in an image received some other way (a control request's body), after the same checks.</summary>
    PullReload Replace(byte[] bytes, string name);
}

/// <summary>What a reload did: whether a new image is now served, and one sentence saying so.</summary>
public sealed record PullReload(bool Swapped, string Message);

/// <summary>
/// The image a server hands out right now. A new image is loaded whole, checked, and only then swapped in (one reference
/// assignment), so a request always gets one complete snapshot from its first byte to its last, whatever happens to the
/// file meanwhile; a file that is half written, unreadable or refused leaves the current image in place.
/// </summary>
public abstract class ImageSource<T>(T? initial) : IImageSource where T : class, IServedImage
{
    private T? _current = initial;

    /// <summary>The snapshot new requests get (null: nothing is served).</summary>
    public T? Snapshot => Volatile.Read(ref _current);

    IServedImage? IImageSource.Current => Snapshot;

    /// <summary>Raised after a new snapshot has been swapped in (or, with null, after the image was taken away).</summary>
    public event Action<T?>? Changed;

    /// <summary>Loads and checks the file at <paramref name="path"/>; throws <see cref="ImageFormatException"/> or an I/O exception.</summary>
    protected abstract T Load(string path);

    /// <summary>Parses and checks bytes received some other way; throws <see cref="ImageFormatException"/>.</summary>
    protected abstract T Parse(byte[] bytes, string name);

    /// <summary>The bytes that identify a snapshot (two snapshots with the same bytes are the same image).</summary>
    protected abstract ReadOnlySpan<byte> BytesOf(T image);

    /// <summary>
    /// Loads <paramref name="path"/> and swaps it in if it is a whole image that passes the checks and differs from the
    /// current one. A file still being written is caught two ways: it does not parse (its header promises more bytes than
    /// it has), or its size or time changes while it is read. Returns the outcome as one sentence for the log.
    /// </summary>
    public PullReload Reload(string path)
    {
        try
        {
            var before = new FileInfo(path);
            if (!before.Exists) return new PullReload(false, $"'{path}' is gone; {Still}");
            var image = Load(path);
            var after = new FileInfo(path);
            if (after.Length != before.Length || after.LastWriteTimeUtc != before.LastWriteTimeUtc || after.Length != image.Length)
                return new PullReload(false, $"'{path}' changed while it was read (still being written?); {Still}");
            if (Snapshot is { } current && BytesOf(image).SequenceEqual(BytesOf(current)))
                return new PullReload(false, $"'{path}' is unchanged ({current.Description})");
            Set(image);
            return new PullReload(true, $"now serving {image.Description}");
        }
        catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException)
        {
            return new PullReload(false, $"not taken: {e.Message}; {Still}");
        }
    }

    /// <summary>Swaps in an image received some other way (e.g. a control request's body), after the same checks.</summary>
    public PullReload Replace(byte[] bytes, string name)
    {
        try
        {
            var image = Parse(bytes, name);
            Set(image);
            return new PullReload(true, $"now serving {image.Description}");
        }
        catch (ImageFormatException e)
        {
            return new PullReload(false, $"not taken: {e.Message}; {Still}");
        }
    }

    /// <summary>Serves <paramref name="image"/> from now on (null: nothing).</summary>
    protected void Set(T? image)
    {
        Volatile.Write(ref _current, image);
        Changed?.Invoke(image);
    }

    private string Still => Snapshot is { } current ? $"still serving {current.Description}" : "still serving nothing";
}
