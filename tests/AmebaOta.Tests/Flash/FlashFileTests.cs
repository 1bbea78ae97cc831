using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Flash;

/// <summary>Flash files: raw whole-chip images, saved atomically and loaded back byte for byte.</summary>
public class FlashFileTests
{
    [Theory]
    [InlineData(FlashLayout.OneMiB)]
    [InlineData(FlashLayout.TwoMiB)]
    public void Save_then_load_round_trips_every_byte(int size)
    {
        using var dir = new TempDir();
        var flash = BlankChip.Create(size);
        var pattern = new byte[0x3000];
        new Random(size).NextBytes(pattern);
        flash.Program(0xB000, pattern);
        flash.Program((uint)size - 0x10, pattern.AsSpan(0, 0x10));

        FlashFile.Save(flash, dir.File("board.bin"));
        var loaded = FlashFile.Load(dir.File("board.bin"));

        Assert.Equal(size, new FileInfo(dir.File("board.bin")).Length);
        Assert.Equal(flash.Contents.ToArray(), loaded.Contents.ToArray());
        Assert.Equal(File.ReadAllBytes(dir.File("board.bin")), flash.Contents.ToArray()); // raw: no header, no framing
        Assert.False(flash.IsDirty);
        Assert.Equal(0, loaded.OperationCount);
    }

    [Fact]
    public void A_raw_dump_written_by_someone_else_loads_as_is()
    {
        using var dir = new TempDir();
        var dump = new byte[FlashLayout.OneMiB];
        new Random(1).NextBytes(dump);
        File.WriteAllBytes(dir.File("dump.bin"), dump);

        Assert.Equal(dump, FlashFile.Load(dir.File("dump.bin")).Contents.ToArray());
    }

    [Fact]
    public void Save_replaces_the_file_and_leaves_no_temporary_file()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("board.bin"), new byte[FlashLayout.TwoMiB]);

        FlashFile.Save(BlankChip.Create(FlashLayout.OneMiB), dir.File("board.bin"));

        Assert.Equal(["board.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal(FlashLayout.OneMiB, new FileInfo(dir.File("board.bin")).Length);
    }

    [Fact]
    public void A_save_that_fails_leaves_no_temporary_file_behind()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("board.bin")); // the target is a directory: the final rename fails

        Assert.ThrowsAny<IOException>(() => FlashFile.Save(BlankChip.Create(FlashLayout.OneMiB), dir.File("board.bin")));

        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.True(Directory.Exists(dir.File("board.bin")));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(FlashLayout.OneMiB - 1)]
    [InlineData(FlashLayout.OneMiB + 4096)]
    public void A_file_that_is_not_exactly_1MiB_or_2MiB_is_refused_with_one_line(int size)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("odd.bin"), new byte[size]);

        var e = Assert.Throws<FlashFormatException>(() => FlashFile.Load(dir.File("odd.bin")));

        Assert.Contains($"is {size} bytes", e.Message);
        Assert.Contains("exactly 1 MiB (1048576 bytes), 2 MiB (2097152 bytes), 4 MiB (4194304 bytes), 8 MiB (8388608 bytes), 16 MiB (16777216 bytes)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_empty_file_or_a_device_is_refused_before_it_is_opened()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("empty.bin"), []);
        foreach (var path in new[] { dir.File("empty.bin"), "/dev/zero" })
        {
            var e = Assert.Throws<FlashFormatException>(() => FlashFile.Load(path));
            Assert.Equal($"'{path}' is not a flash file: it is empty, or not a regular file (a device such as /dev/zero, a pipe, a socket)", e.Message);
        }
    }

    [Fact]
    public void A_missing_file_is_file_not_found()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => FlashFile.Load(dir.File("nope.bin")));
        Assert.Contains("does not exist", e.Message);
    }

    [Theory]
    [InlineData("1M", FlashLayout.OneMiB)]
    [InlineData("2m", FlashLayout.TwoMiB)]
    [InlineData("1MiB", FlashLayout.OneMiB)]
    [InlineData("1048576", FlashLayout.OneMiB)]
    [InlineData("0x200000", FlashLayout.TwoMiB)]
    [InlineData("16M", NorFlash.SixteenMiB)]
    [InlineData("16MB", NorFlash.SixteenMiB)]
    public void Sizes_people_type_parse(string text, int expected) => Assert.Equal(expected, FlashFile.ParseSize(text));

    [Theory]
    [InlineData("3M")]
    [InlineData("512K")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("99999999999")]
    public void Other_sizes_are_refused(string text)
    {
        var e = Assert.Throws<FlashFormatException>(() => FlashFile.ParseSize(text));
        Assert.Equal($"flash size must be 1M, 2M, 4M, 8M, 16M, not '{text}'", e.Message);
    }
}
