using System.Security.Cryptography;
using AmebaOta.Families;
using AmebaOta.Images;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>
/// An image as an OTA UI server hands it out: the file itself, byte for byte, as the stock server does (its
/// <c>GET /api/uploadfile</c> streams the uploaded <c>ota.bin</c>), parsed by its family, computed once and never changed.
/// </summary>
public sealed class OtaUiImage : IServedImage
{
    private OtaUiImage(IFirmwareImage image, string? name, IReadOnlyList<string> warnings)
    {
        Image = image;
        Name = name;
        Warnings = warnings;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(image.Bytes));
    }

    /// <summary>The parsed file.</summary>
    public IFirmwareImage Image { get; }

    /// <summary>The family whose boards it is for.</summary>
    public BoardFamily Family => Image.Family;

    /// <inheritdoc />
    public string? Name { get; }

    /// <summary>What the checks warned about (served anyway).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The body of <c>GET /api/uploadfile</c>.</summary>
    public ReadOnlyMemory<byte> Bytes => Image.Bytes;

    /// <inheritdoc />
    public uint Checksum => Image.Checksum;

    /// <inheritdoc />
    public long Length => Image.Length;

    /// <summary>SHA-256 of the file, lower-case hex: what identifies the image in logs and the history.</summary>
    public string Sha256 { get; }

    /// <inheritdoc />
    public string Description =>
        $"{Name ?? "the image"} ({Image.Length} bytes, {Image.Family.Id}, sha256 {Sha256[..12]}" + (Image.Sketch is { } s ? $", version {s.Version})" : ")");

    /// <summary>
    /// Makes a snapshot of <paramref name="bytes"/>: its family's parser must take it and the family must update by OTA UI,
    /// or it is refused (<see cref="ImageFormatException"/>) unless <paramref name="force"/>. With
    /// <paramref name="preflight"/>, what the family refuses whatever the board runs (<see cref="BoardFamily.CheckOtaUi"/>:
    /// AmebaD's header checks, AmebaPro2's trailer and slot) is refused too, unless <paramref name="force"/>.
    /// </summary>
    public static OtaUiImage From(byte[] bytes, string? name = null, bool force = false, bool preflight = false)
    {
        var image = BoardFamilies.ParseImage(bytes);
        var warnings = new List<string>();
        if (!image.Family.UpdatesByOtaUi)
        {
            string refusal = $"{name ?? "the image"} is an {image.Family.DisplayName} image ({image.KindDescription}): those boards do not update by OTA UI";
            if (!force) throw new ImageFormatException(refusal + " (--force serves it anyway)");
            warnings.Add("served despite: " + refusal);
        }
        else if (preflight && image.Family.CheckOtaUi(image, null) is { Refused: true } check)
        {
            if (!force) throw new ImageFormatException($"refusing to serve {name ?? "the image"}: {string.Join("; ", check.Refusals)} (--force serves it anyway)");
            warnings.AddRange(check.Refusals.Select(r => $"{name ?? "the image"} served despite: {r}"));
        }
        return new OtaUiImage(image, name, warnings);
    }

    /// <summary>Loads <paramref name="path"/> whole and makes a snapshot of it (see <see cref="From"/>).</summary>
    public static OtaUiImage Load(string path, bool force = false, bool preflight = false)
    {
        var bytes = InputFile.ReadAll(path, "an image file", MaxFileLength, message => new ImageFormatException(message));
        try
        {
            return From(bytes, Path.GetFileName(path), force, preflight);
        }
        catch (ImageFormatException e) when (!e.Message.StartsWith(Path.GetFileName(path), StringComparison.Ordinal))
        {
            throw new ImageFormatException($"'{path}': {e.Message}");
        }
    }

    /// <summary>Largest file taken: the largest flash of any family that updates by OTA UI (AmebaPro2's 16 MiB NOR).</summary>
    public const int MaxFileLength = 16 * 1024 * 1024;
}
