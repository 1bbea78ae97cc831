using AmebaOta.Images;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Images;

/// <summary>The one place input files are read: bounded, and nothing special is ever opened.</summary>
public class InputFileTests
{
    private static Exception Refuse(string m) => new ImageFormatException(m);

    [Fact]
    public void A_regular_file_is_read_whole()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.bin"), [1, 2, 3]);
        Assert.Equal([1, 2, 3], InputFile.ReadAll(dir.File("a.bin"), "an image file", 10, Refuse));
    }

    [Fact]
    public void Dev_zero_is_refused_at_once_without_reading()
    {
        var e = Assert.Throws<ImageFormatException>(() => InputFile.ReadAll("/dev/zero", "an image file", 10, Refuse));
        Assert.Equal("'/dev/zero' is not an image file: it is empty, or not a regular file (a device such as /dev/zero, a pipe, a socket)", e.Message);
    }

    [Fact]
    public void Over_the_limit_is_refused_by_the_callers_words_or_the_generic_ones()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("a.bin"), new byte[11]);
        var generic = Assert.Throws<ImageFormatException>(() => InputFile.ReadAll(dir.File("a.bin"), "an image file", 10, Refuse));
        Assert.EndsWith("is not an image file: it is 11 bytes, more than 10 (10 bytes)", generic.Message);
        var worded = Assert.Throws<ImageFormatException>(() => InputFile.ReadAll(dir.File("a.bin"), "an image file", 10, Refuse, n => $"{n} is odd"));
        Assert.Equal("11 is odd", worded.Message);
    }

    [Fact]
    public void A_missing_file_is_file_not_found_named_without_its_article()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => InputFile.ReadAll(dir.File("no.bin"), "a flash file", 10, Refuse));
        Assert.Equal($"flash file '{dir.File("no.bin")}' does not exist", e.Message);
    }
}
