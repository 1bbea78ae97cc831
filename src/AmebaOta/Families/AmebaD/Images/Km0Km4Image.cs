using AmebaOta.Images;

namespace AmebaOta.Families.AmebaD.Images;

/// <summary>Which memory a sub-image is loaded into, judged by its load address.</summary>
public enum SubImageKind
{
    /// <summary>Executed in place from flash (0x0C000000 KM0, 0x0E000000 KM4).</summary>
    Xip,
    /// <summary>Copied to SRAM by the boot loader; starts with the entry words and <c>RTKWin</c>.</summary>
    Ram,
    /// <summary>Copied to PSRAM (0x02000000).</summary>
    Psram,
}

/// <summary>One sub-image: where its 32-byte header stands (offset in the image) and what it says.</summary>
public sealed record SubImage(int Offset, SubImageHeader Header)
{
    /// <summary>Where its body starts in the image.</summary>
    public int BodyOffset => Offset + SubImageHeader.Length;

    /// <summary>Just past its body.</summary>
    public long End => BodyOffset + (long)Header.Size;

    /// <summary>XIP, RAM or PSRAM, by load address.</summary>
    public SubImageKind Kind => KindOf(Header.LoadAddress);

    /// <summary>XIP windows 0x0C000000–0x0FFFFFFF, PSRAM 0x02000000–0x02FFFFFF, anything else RAM.</summary>
    public static SubImageKind KindOf(uint loadAddress) => loadAddress switch
    {
        >= 0x0C000000 and < 0x10000000 => SubImageKind.Xip,
        >= 0x02000000 and < 0x03000000 => SubImageKind.Psram,
        _ => SubImageKind.Ram,
    };
}

/// <summary>
/// A <c>km0_km4_image2.bin</c> (docs/reference section 11.2), as the Arduino build makes it (<c>postbuild_img2_arduino</c>):
/// the KM0 image 2 (Realtek's prebuilt <c>km0_image2_all.bin</c>: an XIP and a RAM sub-image, padded with 0xFF to 4 KiB),
/// then the KM4 image 2 (the sketch: XIP, RAM and PSRAM sub-images, padded to 4 KiB). Each sub-image is headed by
/// <see cref="SubImageHeader"/>; a RAM sub-image's body starts with three entry words and the 20-byte validation pattern
/// beginning <c>RTKWin</c>. The same layout stands in an OTA bank once written. A test image made by
/// <see cref="AmebaDImageBuilder"/> carries its <see cref="SketchDescriptor"/> in the KM4 RAM body, after the pattern.
/// </summary>
public sealed class Km0Km4Image
{
    /// <summary>Bytes before the validation pattern in a RAM body: the entry function, wake function and vector table words.</summary>
    public const int EntryLength = 12;
    /// <summary>Bytes of the validation pattern (<c>RAM_IMG2_VALID_PATTEN</c>: "RTKWin\0\xff" and version bytes).</summary>
    public const int ValidPatternLength = 20;
    /// <summary>Where a test image's sketch descriptor starts in the KM4 RAM body.</summary>
    public const int DescriptorOffset = EntryLength + ValidPatternLength;
    /// <summary>Bytes of a RAM body this parser looks at.</summary>
    public const int RamPrefixLength = DescriptorOffset + SketchDescriptor.FixedSize + SketchDescriptor.MaxNameBytes
        + SketchDescriptor.MaxSsidBytes + 1 + SketchDescriptor.MaxServerBytes;
    /// <summary>Most sub-images looked for in one part (Realtek's build makes 2 for KM0 and up to 3 for KM4).</summary>
    public const int MaxSegmentsPerPart = 8;
    /// <summary>Where the KM4 XIP window starts (KM0's is 0x0C000000).</summary>
    public const uint Km4XipWindow = 0x0E000000;
    /// <summary>The tag the validation pattern starts with.</summary>
    public static ReadOnlySpan<byte> RtkWin => "RTKWin\0"u8;

    private Km0Km4Image(IReadOnlyList<SubImage> km0, int km4Offset, IReadOnlyList<SubImage> km4, int length,
        bool km0RtkWin, bool km4RtkWin, SketchDescriptor? sketch, string? sketchError, IReadOnlyList<string> problems)
    {
        Km0 = km0;
        Km4Offset = km4Offset;
        Km4 = km4;
        Length = length;
        Km0HasRtkWin = km0RtkWin;
        Km4HasRtkWin = km4RtkWin;
        Sketch = sketch;
        SketchError = sketchError;
        Problems = problems;
    }

    /// <summary>The KM0 image 2's sub-images, from offset 0.</summary>
    public IReadOnlyList<SubImage> Km0 { get; }
    /// <summary>Where the KM4 image 2 starts: the first 4 KiB boundary after the KM0 sub-images.</summary>
    public int Km4Offset { get; }
    /// <summary>The KM4 image 2's sub-images (empty: there is none).</summary>
    public IReadOnlyList<SubImage> Km4 { get; }
    /// <summary>Bytes of the image (the file, or what was read of a bank).</summary>
    public int Length { get; }
    /// <summary>True when the KM0 RAM sub-image carries <c>RTKWin</c>.</summary>
    public bool Km0HasRtkWin { get; }
    /// <summary>True when the KM4 RAM sub-image carries <c>RTKWin</c>.</summary>
    public bool Km4HasRtkWin { get; }
    /// <summary>The test image's sketch (null: real code, or damaged).</summary>
    public SketchDescriptor? Sketch { get; }
    /// <summary>Why the descriptor could not be read, when there is a damaged one.</summary>
    public string? SketchError { get; }
    /// <summary>What the boot loader would refuse in it, one sentence each (empty: it boots).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Bytes up to the end of the last sub-image (padding after it not counted).</summary>
    public long UsedLength => (Km4.Count > 0 ? Km4[^1].End : Km0[^1].End);

    /// <summary>
    /// Parses a <c>km0_km4_image2.bin</c> held in memory. Throws <see cref="ImageFormatException"/> when it does not start
    /// with a signed sub-image header whose body fits the file; anything later that a boot loader would refuse is listed
    /// in <see cref="Problems"/>.
    /// </summary>
    public static Km0Km4Image Parse(ReadOnlySpan<byte> image)
    {
        if (image.Length < SubImageHeader.Length)
            throw new ImageFormatException($"truncated: {image.Length} bytes, a sub-image header is {SubImageHeader.Length}");
        if (!SubImageHeader.StartsSigned(image))
            throw new ImageFormatException(
                $"not an AmebaD image: it starts with {SubImageHeader.DescribeSignature(image[..SubImageHeader.SignatureLength])}, not the signature 81958711");
        var first = SubImageHeader.Read(image);
        if (first.Size > image.Length - SubImageHeader.Length)
            throw new ImageFormatException(
                $"the first sub-image says {first.Size} bytes but the file holds only {image.Length - SubImageHeader.Length} after its header (truncated file?)");
        var copy = image.ToArray();
        return Walk((offset, length) => Slice(copy, offset, length), copy.Length);
    }

    /// <summary>Reads the image standing in flash through <paramref name="read"/> (offset and length within the bank), at most <paramref name="limit"/> bytes long.</summary>
    public static Km0Km4Image Read(Func<int, int, byte[]> read, int limit) => Walk(read, limit);

    private static byte[] Slice(byte[] bytes, int offset, int length)
    {
        if (offset >= bytes.Length) return [];
        return bytes.AsSpan(offset, Math.Min(length, bytes.Length - offset)).ToArray();
    }

    private static Km0Km4Image Walk(Func<int, int, byte[]> read, int limit)
    {
        var problems = new List<string>();
        var km0 = Segments(read, 0, limit, "KM0", problems);
        long km0End = km0.Count > 0 ? km0[^1].End : 0;
        int km4Offset = (int)Math.Min(limit, (km0End + 0xFFF) & ~0xFFFL);
        var km4 = km0.Count > 0 ? Segments(read, km4Offset, limit, "KM4", problems) : [];
        if (km0.Count == 0) problems.Add("it does not start with the signature 81958711");
        else if (km0[0].Header.LoadAddress is >= Km4XipWindow and < 0x10000000)
            problems.Add($"it starts with a KM4 sub-image (load address 0x{km0[0].Header.LoadAddress:x8}): a km4_image2_all.bin on its own; a bank needs the KM0 image first (use km0_km4_image2.bin)");
        else if (km4.Count == 0)
            problems.Add($"there is no KM4 image 2 at 0x{km4Offset:x} after the KM0 image (a signed sub-image header is expected there): KM0 would start, the KM4 boot would not");

        bool km0RtkWin = HasRtkWin(read, km0, "KM0", problems);
        bool km4RtkWin = km4.Count == 0 || HasRtkWin(read, km4, "KM4", problems);
        SketchDescriptor? sketch = null;
        string? sketchError = null;
        if (km4.FirstOrDefault(s => s.Kind == SubImageKind.Ram) is { } ram)
        {
            var prefix = read(ram.BodyOffset, (int)Math.Min(ram.Header.Size, RamPrefixLength));
            if (prefix.Length > DescriptorOffset - SketchDescriptor.BodyOffset)
                sketch = SketchDescriptor.TryRead(prefix.AsSpan(DescriptorOffset - SketchDescriptor.BodyOffset), out sketchError);
        }
        int length = km4.Count > 0 ? (int)Math.Min(limit, km4[^1].End) : (int)Math.Min(limit, km0End);
        return new Km0Km4Image(km0, km4Offset, km4, Math.Max(length, 0), km0RtkWin, km4RtkWin, sketch, sketchError, problems);
    }

    private static List<SubImage> Segments(Func<int, int, byte[]> read, int start, int limit, string part, List<string> problems)
    {
        var list = new List<SubImage>();
        long offset = start;
        while (list.Count < MaxSegmentsPerPart && offset + SubImageHeader.Length <= limit)
        {
            var bytes = read((int)offset, SubImageHeader.Length);
            if (bytes.Length < SubImageHeader.Length || !SubImageHeader.StartsSigned(bytes)) break;
            var segment = new SubImage((int)offset, SubImageHeader.Read(bytes));
            if (segment.End > limit)
            {
                problems.Add($"the {part} sub-image at 0x{offset:x} says {segment.Header.Size} bytes, which runs past the end (0x{limit:x})");
                break;
            }
            list.Add(segment);
            offset = segment.End;
        }
        return list;
    }

    private static bool HasRtkWin(Func<int, int, byte[]> read, List<SubImage> part, string name, List<string> problems)
    {
        if (part.Count == 0) return false;
        var ram = part.FirstOrDefault(s => s.Kind == SubImageKind.Ram);
        if (ram is null)
        {
            problems.Add($"the {name} image 2 has no RAM sub-image (none loads outside the XIP and PSRAM windows): its boot would print \"IMG2 SIGN Invalid\"");
            return false;
        }
        var bytes = read(ram.BodyOffset + EntryLength, RtkWin.Length);
        bool ok = ram.Header.Size >= EntryLength + RtkWin.Length && bytes.AsSpan().SequenceEqual(RtkWin);
        if (!ok) problems.Add($"the {name} RAM sub-image at 0x{ram.Offset:x} lacks \"RTKWin\": its boot would print \"IMG2 SIGN Invalid\" and stop");
        return ok;
    }
}
