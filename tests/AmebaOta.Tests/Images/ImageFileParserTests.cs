using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Images;

/// <summary>Every bad input of the image parser fails with one <see cref="ImageFormatException"/> line that says what is wrong.</summary>
public class ImageFileParserTests
{
    private static byte[] V1(bool signed = false, bool sdram = false) =>
        ImageBuilder.Build(new ImageBuildOptions(new SketchDescriptor(1), 0x1000, sdram, signed));

    private static string ParseError(byte[] bytes)
    {
        var e = Assert.Throws<ImageFormatException>(() => ImageFile.Parse(bytes));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void Empty_file() => Assert.Equal("the file is empty", ParseError([]));

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(15)]
    public void Truncated_segment_header(int length) =>
        Assert.Equal($"truncated header: {length} bytes, a segment header is 16", ParseError(V1()[..length]));

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    public void Truncated_image1_header(int length)
    {
        var ramAll = RamAll.Build(V1(signed: true));
        Assert.Equal($"truncated Image 1 header: {length} bytes, it needs 32", ParseError(ramAll[..length]));
    }

    [Fact]
    public void Body_length_past_the_end_of_the_file()
    {
        var truncated = V1()[..0x800];
        Assert.Equal("header says the body is 4080 bytes but the file holds only 2032 after the header (truncated file?)", ParseError(truncated));
    }

    [Fact]
    public void Image3_length_past_the_end_of_the_file()
    {
        var image = V1(sdram: true);
        Assert.Equal("Image 3 header says 256 bytes but only 128 follow it (truncated file?)", ParseError(image[..^128]));
    }

    [Fact]
    public void Garbage_is_not_an_image()
    {
        var garbage = new byte[1000];
        new Random(42).NextBytes(garbage);
        Assert.StartsWith("not an Ameba image: signature words 0x", ParseError(garbage));
        Assert.StartsWith("not an Ameba image", ParseError("this is a text file, not firmware\n"u8.ToArray()));
    }

    [Fact]
    public void Ram_all_whose_image1_points_past_the_end()
    {
        var ramAll = RamAll.Build(V1(signed: true))[..0x9000];
        Assert.Equal("Image 1 points at Image 2 at 0xb000, past the end of this 36864-byte ram_all.bin", ParseError(ramAll));
    }

    [Fact]
    public void Ram_all_with_a_truncated_image2_names_where_image2_is()
    {
        var ramAll = RamAll.Build(V1(signed: true))[..(0xB000 + 100)];
        Assert.Equal("Image 2 at 0xb000: header says the body is 4080 bytes but the file holds only 84 after the header (truncated file?)",
            ParseError(ramAll));
        var garbage = RamAll.Build(new byte[64]);
        Assert.StartsWith("Image 2 at 0xb000: not an Ameba image", ParseError(garbage));
    }

    [Fact]
    public void Missing_file_is_file_not_found()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => ImageFile.Load(dir.File("ota.bin")));
        Assert.Equal($"image file '{dir.File("ota.bin")}' does not exist", e.Message);
    }

    [Fact]
    public void A_huge_file_is_refused_without_reading_it()
    {
        using var dir = new TempDir();
        using (var f = File.Create(dir.File("huge.bin"))) f.SetLength(65L * 1024 * 1024);
        var e = Assert.Throws<ImageFormatException>(() => ImageFile.Load(dir.File("huge.bin")));
        Assert.Contains("larger than any Ameba flash (2 MiB)", e.Message);
    }

    [Theory]
    [InlineData(false, false, ImageFileKind.UnsignedImage2)]
    [InlineData(true, false, ImageFileKind.SignedImage2)]
    [InlineData(false, true, ImageFileKind.UnsignedImage2)]
    public void Good_files_parse_with_their_kind(bool signed, bool sdram, ImageFileKind kind)
    {
        var image = ImageFile.Parse(V1(signed, sdram));
        Assert.Equal(kind, image.Kind);
        Assert.Equal(0, image.Image2Offset);
        Assert.Equal(sdram, image.Image3 is not null);
        Assert.Equal(0x1000, image.Image2SegmentsLength);
        Assert.Equal(0, image.TrailingBytes);
    }

    [Fact]
    public void An_old_signed_image_and_a_padded_file_parse()
    {
        var bytes = V1(signed: true);
        bytes[8] = (byte)'0';
        var padded = bytes.Concat(new byte[100]).ToArray();
        var image = ImageFile.Parse(padded);
        Assert.Equal(ImageFileKind.OldImage2, image.Kind);
        Assert.Equal(100, image.TrailingBytes);
    }

    [Fact]
    public void Ram_all_finds_image2_through_the_image1_header()
    {
        var ram2 = V1(signed: true);
        var image = ImageFile.Parse(RamAll.Build(ram2));
        Assert.Equal(ImageFileKind.RamAll, image.Kind);
        Assert.Equal(0xB000, image.Image2Offset);
        Assert.Equal(ram2, image.Image2Segments.ToArray());
        Assert.Equal(1u, image.Body.Sketch?.Version);
    }

    [Fact]
    public void Real_arm_code_has_no_sketch_descriptor_and_is_not_an_error()
    {
        var file = RealImage2(out _);
        var image = ImageFile.Parse(file);
        Assert.Null(image.Body.Sketch);
        Assert.Null(image.Body.SketchError);
        Assert.True(image.Body.HasRtkWin);
        Assert.Equal(0x10006049u, image.Body.EntryPoint);
    }

    [Fact]
    public void A_damaged_descriptor_is_reported_but_the_image_still_parses()
    {
        var bytes = V1();
        bytes[16 + 16 + 19] = 200; // name length no longer adds up
        var image = ImageFile.Parse(bytes);
        Assert.Null(image.Body.Sketch);
        Assert.Equal("sketch descriptor is damaged (its lengths do not add up)", image.Body.SketchError);
    }

    /// <summary>An ota.bin-shaped Image 2 whose body is entry point + RTKWin + code-like bytes, no descriptor.</summary>
    public static byte[] RealImage2(out uint length)
    {
        length = 0x400;
        var file = new byte[16 + length];
        new SegmentHeader(length, 0x10006000, 0xFFFFFFFF, 0xFFFFFFFF).Write(file);
        BitConverter.TryWriteBytes(file.AsSpan(16), 0x10006049u);
        "RTKWin\0"u8.CopyTo(file.AsSpan(20));
        for (int i = 27; i < file.Length; i++) file[i] = (byte)(i * 13 + 0x40);
        return file;
    }
}
