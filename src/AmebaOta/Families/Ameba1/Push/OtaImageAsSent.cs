using AmebaOta.Families.Ameba1.Images;

namespace AmebaOta.Families.Ameba1.Push;

/// <summary>
/// An image as it goes to a board: the bytes to send (the OTA header's checksum and length are computed from these,
/// never from the file), what the pre-flight check said about the file, and one-line notes on what was changed.
/// </summary>
/// <param name="Image">The image to send, parsed: its <see cref="ImageFile.Bytes"/> are what goes on the wire and its
/// <see cref="ImageFile.Checksum"/> is the one the header carries.</param>
/// <param name="Check">Refusals and warnings about the file as given.</param>
/// <param name="Notes">What was changed on the way, one sentence each (empty when the file goes as it is).</param>
public sealed record OtaImageAsSent(ImageFile Image, OtaPreflightResult Check, IReadOnlyList<string> Notes)
{
    /// <summary>The bytes to send after the 12-byte header.</summary>
    public byte[] Bytes => Image.Bytes;

    /// <summary>The checksum the OTA header carries: the byte sum of <see cref="Bytes"/>.</summary>
    public uint Checksum => Image.Checksum;

    /// <summary>True when the signature words were cleared.</summary>
    public bool SignatureCleared => Notes.Count > 0;

    /// <summary>
    /// Prepares <paramref name="file"/> for any path that hands images to boards (upload, fleet, serve): runs
    /// <see cref="OtaPreflight.Check"/>, and sends an image signed "new" (a <c>ram_2.p.bin</c>) with its two signature
    /// words cleared to 0xFF. A stock board writes the header as it arrives, signature included, and signs the image
    /// itself only after the checksum matched; with "new" already in the header, a transfer cut by a power loss, a Wi-Fi
    /// drop or a reset leaves a half-written image that the boot loader prefers and starts.
    /// </summary>
    public static OtaImageAsSent Prepare(ImageFile file)
    {
        var check = OtaPreflight.Check(file);
        if (file.Kind != ImageFileKind.SignedImage2) return new OtaImageAsSent(file, check, []);

        var bytes = (byte[])file.Bytes.Clone();
        file.Image2.WithSignature(SignatureState.Unsigned).Write(bytes.AsSpan(file.Image2Offset, SegmentHeader.Size));
        var cleared = ImageFile.Parse(bytes);
        string note = "the image is signed \"new\" (ram_2.p.bin style): it is sent with its signature words cleared to 0xFF " +
                      $"(checksum 0x{cleared.Checksum:x8}), so a cut transfer can never boot; the board writes the signature itself after verifying";
        return new OtaImageAsSent(cleared, check, [note]);
    }
}
