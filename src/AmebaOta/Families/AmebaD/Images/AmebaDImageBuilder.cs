using System.Buffers.Binary;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaD.Images;

/// <summary>Options for <see cref="AmebaDImageBuilder.Build"/>: the sketch to describe, and the file's exact size (null: the smallest, padded to 4 KiB as the build pads).</summary>
public sealed record AmebaDImageBuildOptions(SketchDescriptor Sketch, int? FileSize = null);

/// <summary>
/// Builds a test <c>km0_km4_image2.bin</c> laid out like the Arduino build output (docs/reference section 11.2): a KM0
/// image 2 of one 4 KiB sector (an XIP and a RAM sub-image at the load addresses of Realtek's prebuilt
/// <c>km0_image2_all.bin</c>, padded with 0xFF), then the KM4 image 2 (an XIP sub-image, then the RAM sub-image whose body
/// is the entry words, the <c>RTKWin</c> validation pattern and the <see cref="SketchDescriptor"/>). Filler bytes stand
/// in for code and differ per version, so two versions have different checksums. <c>--size</c> grows the KM4 XIP body.
/// </summary>
public static class AmebaDImageBuilder
{
    /// <summary>Load address of the KM0 XIP sub-image (as in the prebuilt km0_image2_all.bin).</summary>
    public const uint Km0XipLoad = 0x0C000020;
    /// <summary>Load address of the KM0 RAM sub-image (as in the prebuilt km0_image2_all.bin).</summary>
    public const uint Km0RamLoad = 0x00083000;
    /// <summary>Load address of the KM4 XIP sub-image (<c>KM4_IMG2</c> in the linker script, after its 32-byte header).</summary>
    public const uint Km4XipLoad = 0x0E000020;
    /// <summary>Load address of the KM4 RAM sub-image (<c>BD_RAM_NS</c>).</summary>
    public const uint Km4RamLoad = 0x10005000;
    /// <summary>Bytes of the KM0 image 2 part, padded.</summary>
    public const int Km0PartLength = 0x1000;
    /// <summary>Smallest KM4 XIP body.</summary>
    public const int MinimumXipBody = 64;

    private const int Km0XipBody = 2048, Km0RamBody = 1024;

    /// <summary>The entry words and the 20-byte validation pattern a RAM body starts with (<c>RAM_IMG2_VALID_PATTEN</c>).</summary>
    private static void WriteRamPrefix(Span<byte> body, uint entry, uint vectors)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(body, entry);
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(body[8..], vectors);
        ReadOnlySpan<byte> pattern = [(byte)'R', (byte)'T', (byte)'K', (byte)'W', (byte)'i', (byte)'n', 0x00, 0xFF,
            0x01, 0x00, 0x01, 0x00, 0x21, 0x87, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF];
        pattern.CopyTo(body[Km0Km4Image.EntryLength..]);
    }

    private static int Km4RamBody(SketchDescriptor sketch) => Align4(Km0Km4Image.DescriptorOffset + sketch.EncodedSize) + 64;

    /// <summary>The smallest file <see cref="Build"/> can make for this sketch (before 4 KiB padding).</summary>
    public static int MinimumFileSize(AmebaDImageBuildOptions options) =>
        Km0PartLength + SubImageHeader.Length + MinimumXipBody + SubImageHeader.Length + Km4RamBody(options.Sketch);

    /// <summary>A <c>km0_km4_image2.bin</c>.</summary>
    public static byte[] Build(AmebaDImageBuildOptions options)
    {
        if (options.Sketch.Validate() is { } error) throw new ImageFormatException(error);
        int minimum = MinimumFileSize(options);
        int size = options.FileSize ?? ((minimum + 0xFFF) & ~0xFFF);
        if (size < minimum)
            throw new ImageFormatException($"--size {size} is too small: this image needs at least {minimum} bytes");
        int ramBody = Km4RamBody(options.Sketch);
        int xipBody = options.FileSize is null ? MinimumXipBody : size - Km0PartLength - 2 * SubImageHeader.Length - ramBody;
        var file = new byte[size];
        file.AsSpan().Fill(0xFF);
        uint seed = options.Sketch.Version;

        // KM0 image 2: XIP, then RAM, padded with 0xFF to one sector.
        int at = 0;
        at = Segment(file, at, Km0XipLoad, Km0XipBody, body => FillerPattern.Fill(body, seed ^ 0x4B4D3058));
        Segment(file, at, Km0RamLoad, Km0RamBody, body =>
        {
            FillerPattern.Fill(body, seed ^ 0x4B4D3052);
            WriteRamPrefix(body.AsSpan(), 0x0C000101, 0);
        });

        // KM4 image 2: XIP, then RAM with the sketch descriptor after the validation pattern.
        at = Km0PartLength;
        at = Segment(file, at, Km4XipLoad, xipBody, body => FillerPattern.Fill(body, seed ^ 0x4B4D3458));
        Segment(file, at, Km4RamLoad, ramBody, body =>
        {
            FillerPattern.Fill(body, seed ^ 0x4B4D3452);
            WriteRamPrefix(body.AsSpan(), 0x0E000101, Km4RamLoad + 0x100);
            options.Sketch.Write(body.AsSpan(Km0Km4Image.DescriptorOffset));
        });
        return file;
    }

    private static int Segment(byte[] file, int at, uint load, int bodyLength, Action<byte[]> fill)
    {
        SubImageHeader.Signed((uint)bodyLength, load).Write(file.AsSpan(at));
        var body = new byte[bodyLength];
        fill(body);
        body.CopyTo(file, at + SubImageHeader.Length);
        return at + SubImageHeader.Length + bodyLength;
    }

    private static int Align4(int n) => (n + 3) & ~3;
}
