using System.Buffers.Binary;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;
using AmebaOta.Tests.Support;
using FsCheck;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>
/// Generators for the parsers' inputs: arbitrary bytes, valid values (for write∘parse), and valid encodings with a few
/// hostile mutations (so the parsers get past their first check and the deep paths are exercised too). Bulk bytes come
/// from a seeded <see cref="Random"/>, so a counterexample is printed as (seed, length) and cheap to generate.
/// </summary>
public static class Generators
{
    /// <summary>Values that make header arithmetic interesting.</summary>
    public static readonly uint[] InterestingWords =
    [
        0, 1, 2, 4, 15, 16, 0xFF, 0x1000, 0xB000, 0x80000, 0x7F000, 0xFFFFF, 0x100000, 0x200000, 0x7FFFFFFF, 0x80000000,
        0xFFFFFFF0, 0xFFFFFFFE, 0xFFFFFFFF, 0x10006000, 0x30000000, 0x10006049,
        ImageSignature.NewWord1, ImageSignature.OldWord1, ImageSignature.Word2, 0xFFFF002C, 0x96969999,
    ];

    /// <summary>A byte string of 0 to <paramref name="maxLength"/> bytes, mostly short.</summary>
    public static Gen<byte[]> AnyBytes(int maxLength) =>
        Gen.Zip(
            Gen.Frequency((4, Gen.Choose(0, Math.Min(64, maxLength))), (3, Gen.Choose(0, Math.Min(1024, maxLength))), (1, Gen.Choose(0, maxLength))),
            Gen.Choose(int.MinValue, int.MaxValue),
            (length, seed) => Fill(length, seed));

    private static byte[] Fill(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A UTF-8 string of <paramref name="minBytes"/> to <paramref name="maxBytes"/> bytes, with non-ASCII characters.</summary>
    public static Gen<string> Utf8Text(int minBytes, int maxBytes) =>
        Gen.Elements("a", "Z", "0", "-", " ", "_", "é", "ü", "ß", "€", "😀", "日", "(", ")", ".")
            .ListOf()
            .Select(parts => string.Concat(parts))
            .Select(s => Trim(s, maxBytes))
            .Where(s => System.Text.Encoding.UTF8.GetByteCount(s) >= minBytes);

    private static string Trim(string s, int maxBytes)
    {
        while (System.Text.Encoding.UTF8.GetByteCount(s) > maxBytes) s = s[..^(char.IsLowSurrogate(s[^1]) ? 2 : 1)];
        return s;
    }

    /// <summary>A sketch descriptor that <see cref="SketchDescriptor.Validate"/> accepts.</summary>
    public static Gen<SketchDescriptor> ValidSketch { get; } =
        from version in Gen.Choose(int.MinValue, int.MaxValue).Select(v => unchecked((uint)v))
        from name in Utf8Text(1, SketchDescriptor.MaxNameBytes)
        from port in Gen.Choose(1, 65535)
        from pin in Gen.Choose(0, 255)
        from board in Gen.Elements(BoardKind.Rtl8195a, BoardKind.Rtl8710, BoardKind.Rtl8721d)
        from mode in Gen.Elements(Enum.GetValues<SketchMode>())
        from v1 in Gen.Elements(false, true)
        from ssid in Utf8Text(0, SketchDescriptor.MaxSsidBytes)
        from server in Server
        from withServer in Gen.Elements(false, true)
        select new SketchDescriptor(version, name, (ushort)port, (byte)pin, board, mode, v1, ssid,
            SketchModes.Pulls(mode) || withServer ? server : null);

    /// <summary>A pull sketch's server: 1 to <see cref="SketchDescriptor.MaxServerBytes"/> printable ASCII characters.</summary>
    private static Gen<string> Server { get; } =
        Gen.Choose(1, SketchDescriptor.MaxServerBytes).SelectMany(n => Gen.ArrayOf(Gen.Choose('!', '~').Select(c => (char)c), n)).Select(c => new string(c));

    /// <summary>Options <see cref="ImageBuilder.Build"/> accepts: any valid sketch, exact size or padded, Image 3 or not, signed or not.</summary>
    public static Gen<ImageBuildOptions> ValidBuildOptions { get; } =
        from sketch in ValidSketch
        from sdram in Gen.Elements(false, true)
        from signed in Gen.Elements(false, true)
        from pad in Gen.Frequency((1, Gen.Constant(-1)), (3, Gen.Choose(0, 8192)))
        let minimum = ImageBuilder.MinimumFileSize(new ImageBuildOptions(sketch, WithImage3: sdram))
        select new ImageBuildOptions(sketch, pad < 0 ? null : minimum + pad, sdram, signed);

    /// <summary>Anything an image file could hold: random bytes, or a valid ota.bin / ram_2.p.bin / ram_all.bin with a few hostile mutations.</summary>
    public static Gen<byte[]> ImageLike { get; } =
        Gen.Frequency(
            (1, AnyBytes(4096)),
            (3, Mutated(ValidBuildOptions.Select(ImageBuilder.Build), hotSpots: [0, 16, 16 + SketchDescriptor.BodyOffset])),
            (1, Mutated(ValidBuildOptions.Select(o => RamAll.Build(ImageBuilder.Build(o with { Signed = true }))), hotSpots: [0, 16, 0xB000])),
            (1, ValidBuildOptions.Select(ImageBuilder.Build)));

    /// <summary>Options <see cref="AmebaOta.Families.AmebaD.Images.AmebaDImageBuilder.Build"/> accepts: any valid sketch on an AmebaD board, padded or of an exact size.</summary>
    public static Gen<AmebaOta.Families.AmebaD.Images.AmebaDImageBuildOptions> AmebaDBuildOptions { get; } =
        from sketch in ValidSketch
        from pad in Gen.Frequency((1, Gen.Constant(-1)), (3, Gen.Choose(0, 16384)))
        let amebaD = sketch with { Board = BoardKind.Rtl8721d }
        let minimum = AmebaOta.Families.AmebaD.Images.AmebaDImageBuilder.MinimumFileSize(new(amebaD))
        select new AmebaOta.Families.AmebaD.Images.AmebaDImageBuildOptions(amebaD, pad < 0 ? null : minimum + pad);

    /// <summary>Anything an AmebaD file could hold: random bytes, or a valid km0_km4_image2.bin / OTA_All.bin with a few hostile mutations near the headers.</summary>
    public static Gen<byte[]> AmebaDImageLike { get; } =
        Gen.Frequency(
            (1, AnyBytes(4096)),
            (3, Mutated(AmebaDBuildOptions.Select(AmebaOta.Families.AmebaD.Images.AmebaDImageBuilder.Build), hotSpots: [0, 0x820, 0x1000, 0x1060, 0x1080])),
            (3, Mutated(AmebaDBuildOptions.Select(o => AmebaOta.Families.AmebaD.Images.AmebaDImageFile.Parse(
                AmebaOta.Families.AmebaD.Images.AmebaDImageBuilder.Build(o)).ToOtaAll().Bytes), hotSpots: [0, 16, 32, 0x1020, 0x10A0])),
            (1, AmebaDBuildOptions.Select(AmebaOta.Families.AmebaD.Images.AmebaDImageBuilder.Build)));

    /// <summary>Applies 1 to 8 mutations to each value of <paramref name="valid"/>: a byte or an interesting word at a random
    /// place (often near a <paramref name="hotSpots"/> offset, where the headers are), a truncation, or random bytes appended.</summary>
    public static Gen<byte[]> Mutated(Gen<byte[]> valid, int[] hotSpots) =>
        Gen.Zip(valid, Gen.Choose(int.MinValue, int.MaxValue), (bytes, seed) => Mutate(bytes, seed, hotSpots));

    /// <summary>The mutation step of <see cref="Mutated"/>, deterministic in <paramref name="seed"/>.</summary>
    public static byte[] Mutate(byte[] bytes, int seed, int[] hotSpots, bool keepLength = false)
    {
        var random = new Random(seed);
        var b = (byte[])bytes.Clone();
        int count = random.Next(1, 9);
        for (int i = 0; i < count && b.Length > 0; i++)
        {
            int at = random.Next(3) == 0 ? random.Next(b.Length) : Math.Min(b.Length - 1, hotSpots[random.Next(hotSpots.Length)] + random.Next(48));
            switch (random.Next(keepLength ? 4 : 6))
            {
                case 0: b[at] = (byte)random.Next(256); break;
                case 1: b[at] ^= (byte)(1 << random.Next(8)); break;
                case 2 or 3:
                    at &= ~3;
                    if (at + 4 <= b.Length) BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), InterestingWords[random.Next(InterestingWords.Length)]);
                    break;
                case 4: b = b[..random.Next(b.Length)]; break;
                default:
                    var tail = new byte[random.Next(1, 64)];
                    random.NextBytes(tail);
                    b = [.. b, .. tail];
                    break;
            }
        }
        return b;
    }
}
