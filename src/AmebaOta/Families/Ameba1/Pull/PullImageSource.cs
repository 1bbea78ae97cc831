using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;

namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>
/// The image a server hands out right now. A new image is loaded whole, checked, and only then swapped in (one reference
/// assignment), so a request always gets one complete snapshot from its first byte to its last, whatever happens to the
/// file meanwhile; a file that is half written, unreadable or refused leaves the current image in place.
/// </summary>
public sealed class PullImageSource(PullImage initial, bool force = false)
{
    private PullImage _current = initial;

    /// <summary>The snapshot new requests get.</summary>
    public PullImage Current => Volatile.Read(ref _current);

    /// <summary>Raised after a new snapshot has been swapped in.</summary>
    public event Action<PullImage>? Changed;

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
            if (!before.Exists) return new PullReload(false, $"'{path}' is gone; still serving {Describe(Current)}");
            var image = PullImage.Load(path, force);
            var after = new FileInfo(path);
            if (after.Length != before.Length || after.LastWriteTimeUtc != before.LastWriteTimeUtc || after.Length != image.File.Length)
                return new PullReload(false, $"'{path}' changed while it was read (still being written?); still serving {Describe(Current)}");
            if (image.File.Bytes.AsSpan().SequenceEqual(Current.File.Bytes))
                return new PullReload(false, $"'{path}' is unchanged ({Describe(Current)})");
            Volatile.Write(ref _current, image);
            Changed?.Invoke(image);
            return new PullReload(true, $"now serving {Describe(image)}");
        }
        catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException)
        {
            return new PullReload(false, $"not taken: {e.Message}; still serving {Describe(Current)}");
        }
    }

    /// <summary>Swaps in an image received some other way (e.g. a control request's body), after the same checks.</summary>
    public PullReload Replace(byte[] bytes, string name)
    {
        try
        {
            var image = PullImage.From(ImageFile.Parse(bytes), name, force);
            Volatile.Write(ref _current, image);
            Changed?.Invoke(image);
            return new PullReload(true, $"now serving {Describe(image)}");
        }
        catch (ImageFormatException e)
        {
            return new PullReload(false, $"not taken: {e.Message}; still serving {Describe(Current)}");
        }
    }

    /// <summary><c>v2.bin (262144 bytes, checksum 33408944, version 2)</c>.</summary>
    public static string Describe(PullImage image) =>
        $"{image.Name ?? "the image"} ({image.File.Length} bytes, checksum {image.Checksum}" +
        (image.File.Body.Sketch is { } s ? $", version {s.Version})" : ")");
}

/// <summary>What a reload did: whether a new image is now served, and one sentence saying so.</summary>
public sealed record PullReload(bool Swapped, string Message);
