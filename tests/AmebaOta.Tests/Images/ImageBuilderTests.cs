using System.Buffers.Binary;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;

namespace AmebaOta.Tests.Images;

/// <summary>Test firmware in the Arduino package's formats, read back byte by byte against docs/reference section 2.</summary>
public class ImageBuilderTests
{
    private static byte[] Build(SketchDescriptor sketch, int? size = null, bool sdram = false, bool signed = false) =>
        ImageBuilder.Build(new ImageBuildOptions(sketch, size, sdram, signed));

    [Fact]
    public void Ota_bin_format_has_an_unsigned_header_entry_point_and_RTKWin()
    {
        var bytes = Build(new SketchDescriptor(1), 0x2000);

        Assert.Equal(0x2000, bytes.Length);
        Assert.Equal(0x2000u - 16, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(0x10006000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 8), bytes[8..16]);
        Assert.Equal(0x10006049u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal("RTKWin\0"u8.ToArray(), bytes[20..27]);
        Assert.Equal("AMOTASK1"u8.ToArray(), bytes[32..40]);
    }

    [Fact]
    public void Signed_writes_81958711_as_ascii()
    {
        var bytes = Build(new SketchDescriptor(1), signed: true);
        Assert.Equal("81958711"u8.ToArray(), bytes[8..16]);
    }

    [Fact]
    public void Sdram_appends_an_image3_that_loads_to_0x30000000()
    {
        var bytes = Build(new SketchDescriptor(3), 0x1000, sdram: true);
        int image3 = 0x1000 - 16 - 256;
        Assert.Equal((uint)(image3 - 16), BinaryPrimitives.ReadUInt32LittleEndian(bytes)); // Image 2 length
        Assert.Equal(256u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(image3)));
        Assert.Equal(0x30000000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(image3 + 4)));
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 8), bytes[(image3 + 8)..(image3 + 16)]);
        Assert.NotNull(ImageFile.Parse(bytes).Image3);
    }

    [Fact]
    public void Sketch_descriptor_round_trips()
    {
        var sketch = new SketchDescriptor(7, "Kitchen", 6000, 17, BoardKind.Rtl8710, SketchMode.NonBlock, true, "home-net");
        var image = ImageFile.Parse(Build(sketch));
        Assert.Equal(sketch, image.Body.Sketch);
    }

    [Fact]
    public void Without_size_the_file_is_the_minimum_and_too_small_a_size_is_refused()
    {
        var options = new ImageBuildOptions(new SketchDescriptor(1));
        int minimum = ImageBuilder.MinimumFileSize(options);
        Assert.Equal(minimum, ImageBuilder.Build(options).Length);
        Assert.Equal(0, minimum % 4);

        var e = Assert.Throws<ImageFormatException>(() => ImageBuilder.Build(options with { FileSize = minimum - 1 }));
        Assert.Equal($"--size {minimum - 1} is too small: this image needs at least {minimum} bytes", e.Message);
    }

    [Fact]
    public void Two_versions_have_different_checksums_and_the_same_version_is_deterministic()
    {
        var a = Build(new SketchDescriptor(1), 0x8000);
        var b = Build(new SketchDescriptor(2), 0x8000);
        Assert.Equal(a, Build(new SketchDescriptor(1), 0x8000));
        Assert.NotEqual(Checksum.ByteSum(a), Checksum.ByteSum(b));
    }

    [Theory]
    [InlineData("", "ssid", "the device name must be 1 to 63 UTF-8 bytes")]
    [InlineData("a-name-that-is-far-too-long-to-fit-in-sixty-three-bytes-of-utf-8!", "ssid", "the device name must be 1 to 63 UTF-8 bytes")]
    [InlineData("MyAmeba", "an-ssid-longer-than-thirty-two-bytes", "the SSID must be at most 32 UTF-8 bytes")]
    public void Descriptor_fields_that_do_not_fit_are_refused(string name, string ssid, string error)
    {
        var sketch = new SketchDescriptor(1, name, Ssid: ssid);
        Assert.Equal(error, sketch.Validate());
        Assert.Equal(error, Assert.Throws<ImageFormatException>(() => Build(sketch)).Message);
    }
}
