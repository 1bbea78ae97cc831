using AmebaOta.Images;

namespace AmebaOta.Families.Ameba1.Images;

/// <summary>
/// A parsed image file: one of the Arduino build outputs (<c>ota.bin</c>, <c>ram_2.p.bin</c>, <c>ram_2.ns.bin</c>, <c>ram_all.bin</c>)
/// or an image made by <see cref="ImageBuilder"/>. Parsing never throws anything but <see cref="ImageFormatException"/>.
/// </summary>
public sealed class ImageFile : IFirmwareImage
{
    private ImageFile(byte[] bytes, ImageFileKind kind, int image2Offset, SegmentHeader image2, Image2Body body, SegmentHeader? image3)
    {
        Bytes = bytes;
        Kind = kind;
        Image2Offset = image2Offset;
        Image2 = image2;
        Body = body;
        Image3 = image3;
        Checksum = AmebaOta.Images.Checksum.ByteSum(bytes);
    }

    /// <summary>The whole file.</summary>
    public byte[] Bytes { get; }
    /// <summary>File length in bytes.</summary>
    public int Length => Bytes.Length;
    /// <summary>What kind of file it is (ota.bin, ram_2.bin, ram_all.bin …).</summary>
    public ImageFileKind Kind { get; }
    /// <summary>Offset of Image 2's header in the file: 0, or 0xB000 (the Image 1 pointer) in a ram_all.bin.</summary>
    public int Image2Offset { get; }
    /// <summary>The Image 2 segment header.</summary>
    public SegmentHeader Image2 { get; }
    /// <summary>The start of the Image 2 body.</summary>
    public Image2Body Body { get; }
    /// <summary>The Image 3 (SDRAM) segment header, when present.</summary>
    public SegmentHeader? Image3 { get; }
    /// <summary>u32 wrapping byte sum of the whole file: what the OTA header carries.</summary>
    public uint Checksum { get; }

    /// <inheritdoc />
    public BoardFamily Family => BoardFamilies.Ameba1;

    /// <inheritdoc />
    public SketchDescriptor? Sketch => Body.Sketch;

    /// <inheritdoc />
    public string KindDescription => ImageFileKinds.Describe(Kind);

    /// <summary>Image 2 header + body + Image 3 (if any): what ends up at an Image 2 address in flash.</summary>
    public ReadOnlySpan<byte> Image2Segments => Bytes.AsSpan(Image2Offset, Image2SegmentsLength);

    /// <summary>Bytes of Image 2 (and Image 3) including their headers.</summary>
    public int Image2SegmentsLength => SegmentHeader.Size + (int)Image2.Length + (Image3 is { } i3 ? SegmentHeader.Size + (int)i3.Length : 0);

    /// <summary>Bytes after the last segment (Arduino tools sometimes pad); not part of any image.</summary>
    public int TrailingBytes => Length - Image2Offset - Image2SegmentsLength;

    /// <summary>Largest image file: the largest chip (2 MiB), which a ram_all.bin can fill.</summary>
    public const int MaxFileLength = AmebaOta.Families.Ameba1.Flash.FlashLayout.TwoMiB;

    /// <summary>Loads and parses an image file. A directory, a device, a pipe or a file larger than a chip is refused
    /// (<see cref="ImageFormatException"/>) before anything is read.</summary>
    public static ImageFile Load(string path) =>
        Parse(InputFile.ReadAll(path, "an image file", MaxFileLength, message => new ImageFormatException(message),
            length => length > MaxFileLength ? $"'{path}' is {length} bytes, larger than any Ameba flash (2 MiB): not an image" : null));

    /// <summary>Parses an image held in memory.</summary>
    public static ImageFile Parse(byte[] bytes)
    {
        if (bytes.Length == 0) throw new ImageFormatException("the file is empty");
        if (Image1Header.HasMagic(bytes))
        {
            if (bytes.Length < Image1Header.Size)
                throw new ImageFormatException($"truncated Image 1 header: {bytes.Length} bytes, it needs {Image1Header.Size}");
            uint offset = Image1Header.DefaultImage2Address(bytes);
            if (offset >= bytes.Length)
                throw new ImageFormatException($"Image 1 points at Image 2 at 0x{offset:x}, past the end of this {bytes.Length}-byte ram_all.bin");
            return ParseImage2(bytes, (int)offset, isRamAll: true);
        }
        return ParseImage2(bytes, 0, isRamAll: false);
    }

    private static ImageFile ParseImage2(byte[] bytes, int offset, bool isRamAll)
    {
        string where = isRamAll ? $"Image 2 at 0x{offset:x}: " : "";
        var rest = bytes.AsSpan(offset);
        if (rest.Length < SegmentHeader.Size)
            throw new ImageFormatException($"{where}truncated header: {rest.Length} bytes, a segment header is {SegmentHeader.Size}");
        var header = SegmentHeader.Read(rest);
        if (header.Signature == SignatureState.Invalid)
            throw new ImageFormatException(
                $"{where}not an Ameba image: signature words 0x{header.Signature1:x8} 0x{header.Signature2:x8} are neither new, old nor unsigned");
        long available = rest.Length - SegmentHeader.Size;
        if (header.Length > available)
            throw new ImageFormatException(
                $"{where}header says the body is {header.Length} bytes but the file holds only {available} after the header (truncated file?)");

        var body = Image2Body.Parse(rest.Slice(SegmentHeader.Size, (int)header.Length));
        SegmentHeader? image3 = null;
        var afterBody = rest[(SegmentHeader.Size + (int)header.Length)..];
        if (afterBody.Length >= SegmentHeader.Size)
        {
            var candidate = SegmentHeader.Read(afterBody);
            if (candidate.IsImage3)
            {
                if (candidate.Length > afterBody.Length - SegmentHeader.Size)
                    throw new ImageFormatException(
                        $"Image 3 header says {candidate.Length} bytes but only {afterBody.Length - SegmentHeader.Size} follow it (truncated file?)");
                image3 = candidate;
            }
        }
        var kind = isRamAll ? ImageFileKind.RamAll : header.Signature switch
        {
            SignatureState.New => ImageFileKind.SignedImage2,
            SignatureState.Old => ImageFileKind.OldImage2,
            _ => ImageFileKind.UnsignedImage2,
        };
        return new ImageFile(bytes, kind, offset, header, body, image3);
    }
}
