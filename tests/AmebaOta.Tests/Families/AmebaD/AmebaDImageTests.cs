using System.Buffers.Binary;
using AmebaOta.Families;
using AmebaOta.Families.AmebaD;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Families.AmebaD.Push;
using AmebaOta.Images;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Families.AmebaD;

/// <summary>The AmebaD files byte by byte against docs/reference section 11.2 (Realtek's prepend_ota_header.sh, pick, postbuild).</summary>
public sealed class AmebaDImageTests
{
    [Fact]
    public void The_ota_all_header_is_byte_for_byte_what_realteks_tools_write()
    {
        var image = AmebaDImages.Image(3);
        var ota = AmebaDImageFile.Parse(image).ToOtaAll().Bytes;
        uint sum = Checksum.ByteSum(image);

        byte[] expected =
        [
            0xFF, 0xFF, 0xFF, 0xFF,                  // FwVer
            0x01, 0x00, 0x00, 0x00,                  // HdrNum
            (byte)'O', (byte)'T', (byte)'A', (byte)'1', // ImgId
            0x18, 0x00, 0x00, 0x00,                  // ImgHdrLen 24
            (byte)sum, (byte)(sum >> 8), (byte)(sum >> 16), (byte)(sum >> 24),
            (byte)image.Length, (byte)(image.Length >> 8), (byte)(image.Length >> 16), (byte)(image.Length >> 24),
            0x20, 0x00, 0x00, 0x00,                  // Offset 32
            0xFF, 0xFF, 0xFF, 0xFF,                  // FlashAddr
        ];
        Assert.Equal(expected, ota[..32]);
        Assert.Equal(image, ota[32..]);
    }

    [Fact]
    public void Sub_image_headers_are_81958711_size_load_address_and_sixteen_0xff()
    {
        var bytes = AmebaDImages.Image(1);
        var image = Km0Km4Image.Parse(bytes);

        Assert.Equal(2, image.Km0.Count);
        Assert.Equal(2, image.Km4.Count);
        Assert.Equal(0x1000, image.Km4Offset);
        foreach (var segment in image.Km0.Concat(image.Km4))
        {
            var header = bytes.AsSpan(segment.Offset, 32);
            Assert.Equal("81958711"u8.ToArray(), header[..8].ToArray());
            Assert.Equal(segment.Header.Size, BinaryPrimitives.ReadUInt32LittleEndian(header[8..]));
            Assert.Equal(Enumerable.Repeat((byte)0xFF, 16), header[16..].ToArray());
        }
        Assert.Equal([0x0C000020u, 0x00083000u], image.Km0.Select(s => s.Header.LoadAddress));
        Assert.Equal([0x0E000020u, 0x10005000u], image.Km4.Select(s => s.Header.LoadAddress));
        Assert.True(image.Km0HasRtkWin);
        Assert.True(image.Km4HasRtkWin);
        Assert.Empty(image.Problems);
        Assert.Equal(0, bytes.Length % 4096);
    }

    [Fact]
    public void The_sketch_descriptor_rides_in_the_km4_ram_body_and_round_trips()
    {
        var sketch = AmebaDImages.Sketch(7, "Kitchen") with { Ssid = "home-net" };
        var file = AmebaDImageFile.Parse(AmebaDImageBuilder.Build(new AmebaDImageBuildOptions(sketch)));
        Assert.Null(file.SketchError);
        Assert.Equal(sketch, file.Sketch);
        Assert.Equal(BoardKind.Rtl8721d, file.Sketch!.Board);
    }

    [Fact]
    public void Size_makes_the_file_exactly_that_long_and_too_small_is_refused()
    {
        Assert.Equal(1 << 20, AmebaDImages.Image(2, 1 << 20).Length);
        var options = new AmebaDImageBuildOptions(AmebaDImages.Sketch(1));
        int minimum = AmebaDImageBuilder.MinimumFileSize(options);
        var e = Assert.Throws<ImageFormatException>(() => AmebaDImageBuilder.Build(options with { FileSize = minimum - 1 }));
        Assert.Equal($"--size {minimum - 1} is too small: this image needs at least {minimum} bytes", e.Message);
    }

    [Fact]
    public void Two_versions_differ_and_one_version_is_deterministic()
    {
        Assert.Equal(AmebaDImages.Image(4), AmebaDImages.Image(4));
        Assert.NotEqual(Checksum.ByteSum(AmebaDImages.Image(4)), Checksum.ByteSum(AmebaDImages.Image(5)));
    }

    [Fact]
    public void Both_files_are_recognised_as_amebad_and_parsed_through_the_seam()
    {
        var image = AmebaDImages.Image(2);
        var ota = AmebaDImages.OtaAll(2);
        Assert.Same(BoardFamilies.AmebaD, BoardFamilies.Identify(image));
        Assert.Same(BoardFamilies.AmebaD, BoardFamilies.Identify(ota));
        Assert.False(BoardFamilies.Ameba1.Recognises(image));
        Assert.False(BoardFamilies.AmebaD.Recognises(TestImages.Image(2)));

        var parsed = Assert.IsType<AmebaDImageFile>(BoardFamilies.ParseImage(ota));
        Assert.Equal(AmebaDImageKind.OtaAll, parsed.Kind);
        Assert.Equal(2u, parsed.Sketch?.Version);
        Assert.Equal(Checksum.ByteSum(ota), parsed.Checksum);
        Assert.Equal(Checksum.ByteSum(image), parsed.ImageChecksum);
        Assert.Equal(parsed.Header!.Value.Checksum, parsed.ImageChecksum);
        Assert.Same(BoardFamilies.AmebaD, BoardFamilies.ForMdnsBoard("ameba_rtl8721d"));
        Assert.Same(BoardFamilies.AmebaD, BoardFamilies.Of(BoardKind.Rtl8721d));
        Assert.Same(BoardFamilies.AmebaD, BoardFamilies.Find("AmebaD"));
    }

    [Fact]
    public void A_wrapped_ota_all_is_the_same_file_when_wrapped_again()
    {
        var file = AmebaDImageFile.Parse(AmebaDImages.OtaAll(1));
        Assert.Same(file, file.ToOtaAll());
    }

    [Fact]
    public void Realteks_prebuilt_km0_layout_is_read_like_the_build_output()
    {
        // The shape of km0_image2_all.bin in the AmebaD package: XIP 96768 bytes at 0x0C000020, RAM 10128 at 0x00083000, padded to 0x1B000.
        var km0 = new byte[0x1B000];
        km0.AsSpan().Fill(0xFF);
        SubImageHeader.Signed(96768, 0x0C000020).Write(km0);
        int ram = 32 + 96768;
        SubImageHeader.Signed(10128, 0x00083000).Write(km0.AsSpan(ram));
        "RTKWin\0"u8.CopyTo(km0.AsSpan(ram + 32 + 12));
        var km4 = AmebaDImages.Image(1)[0x1000..];
        var image = Km0Km4Image.Parse([.. km0, .. km4]);
        Assert.Equal(0x1B000, image.Km4Offset);
        Assert.Equal(1u, image.Sketch?.Version);
        Assert.Empty(image.Problems);
    }

    [Fact]
    public void A_file_that_is_neither_is_refused_with_one_line()
    {
        var e = Assert.Throws<ImageFormatException>(() => AmebaDImageFile.Parse(new byte[64]));
        Assert.StartsWith("not an AmebaD image", e.Message);
        e = Assert.Throws<ImageFormatException>(() => AmebaDImageFile.Parse("81958711"u8.ToArray()));
        Assert.StartsWith("truncated", e.Message);
    }

    [Fact]
    public void Preflight_passes_a_good_image_and_its_ota_all()
    {
        Assert.False(AmebaDPreflight.Check(AmebaDImageFile.Parse(AmebaDImages.Image(1))).Refused);
        var check = AmebaDPreflight.Check(AmebaDImageFile.Parse(AmebaDImages.OtaAll(1)));
        Assert.Empty(check.Refusals);
        Assert.Empty(check.Warnings);
    }

    public static TheoryData<string, Func<byte[], byte[]>> Damages => new()
    {
        { "its image id is 'XTA1'", b => Patch(b, 8, "XTA1"u8) },
        { "its image offset is 40, not 8 + 1 × 24 = 32", b => Patch(b, 24, BitConverter.GetBytes(40u)) },
        { "its header checksum 0x00000001", b => Patch(b, 16, BitConverter.GetBytes(1u)) },
        { "its header counts 2 images", b => Patch(b, 4, BitConverter.GetBytes(2u)) },
        { "its image length is 0", b => Patch(b, 20, BitConverter.GetBytes(0u)) },
        { "but the file holds", b => b[..^100] },
        { "does not start with the signature 81958711|not an AmebaD image", b => Patch(b, 32, "01958711"u8) },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void Preflight_refuses_what_a_board_would_choke_on(string expected, Func<byte[], byte[]> damage)
    {
        var bytes = damage(AmebaDImages.OtaAll(1));
        var check = AmebaDPreflight.Check(AmebaDImageFile.Parse(bytes));
        Assert.True(check.Refused);
        Assert.Contains(check.Refusals, r => expected.Split('|').Any(r.Contains));
    }

    [Fact]
    public void Preflight_refuses_an_image_larger_than_a_bank()
    {
        var check = AmebaDPreflight.Check(AmebaDImageFile.Parse(AmebaDImages.Image(1, 0xFA000 + 4096)));
        Assert.Contains(check.Refusals, r => r.Contains("over a bank's 1024000"));
        Assert.False(AmebaDPreflight.Check(AmebaDImageFile.Parse(AmebaDImages.Image(1, 0xFA000))).Refused);
    }

    private static byte[] Patch(byte[] bytes, int at, ReadOnlySpan<byte> with)
    {
        var copy = (byte[])bytes.Clone();
        with.CopyTo(copy.AsSpan(at));
        return copy;
    }
}
