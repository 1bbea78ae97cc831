using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>The Ameba1 image a pull server hands out right now (see <see cref="ImageSource{T}"/> for how a new one is taken).</summary>
public sealed class PullImageSource(PullImage initial, bool force = false) : ImageSource<PullImage>(initial)
{
    /// <summary>The snapshot new requests get.</summary>
    public PullImage Current => Snapshot!;

    /// <inheritdoc />
    protected override PullImage Load(string path) => PullImage.Load(path, force);

    /// <inheritdoc />
    protected override PullImage Parse(byte[] bytes, string name) => PullImage.From(ImageFile.Parse(bytes), name, force);

    /// <inheritdoc />
    protected override ReadOnlySpan<byte> BytesOf(PullImage image) => image.File.Bytes;

    /// <summary><c>v2.bin (262144 bytes, checksum 33408944, version 2)</c>.</summary>
    public static string Describe(PullImage image) =>
        $"{image.Name ?? "the image"} ({image.File.Length} bytes, checksum {image.Checksum}" +
        (image.File.Body.Sketch is { } s ? $", version {s.Version})" : ")");
}
