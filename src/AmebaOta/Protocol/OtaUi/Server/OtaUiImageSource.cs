using AmebaOta.Protocol.Serving;

namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>
/// The image an OTA UI server hands to boards that have none chosen for them (see <see cref="ImageSource{T}"/> for how a
/// new one is taken). Unlike the stock server's, it can be empty only by request (<see cref="Remove"/>, its
/// <c>DELETE /api/uploadfile</c>); then downloads are answered with an error status, never with a 200. With
/// <paramref name="preflight"/>, a new image must also pass its family's checks (<see cref="OtaUiImage.From"/>).
/// </summary>
public sealed class OtaUiImageSource(OtaUiImage? initial, bool force = false, bool preflight = false) : ImageSource<OtaUiImage>(initial)
{
    /// <inheritdoc />
    protected override OtaUiImage Load(string path) => OtaUiImage.Load(path, force, preflight);

    /// <inheritdoc />
    protected override OtaUiImage Parse(byte[] bytes, string name) => OtaUiImage.From(bytes, name, force, preflight);

    /// <inheritdoc />
    protected override ReadOnlySpan<byte> BytesOf(OtaUiImage image) => image.Bytes.Span;

    /// <summary>Stops serving the image; true when there was one.</summary>
    public bool Remove()
    {
        bool had = Snapshot is not null;
        Set(null);
        return had;
    }
}
