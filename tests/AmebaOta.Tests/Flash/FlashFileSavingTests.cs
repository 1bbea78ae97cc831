using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Flash;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Flash;

/// <summary>
/// Writing a flash file back respects the file it replaces: mode and owner kept, read-only refused unless forced,
/// symbolic links followed, a file the user may not write never replaced, errors naming the user's file. And a running
/// board holds its file.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FlashFileSavingTests
{
    private static NorFlash Chip(byte fill)
    {
        var flash = BlankChip.Create(FlashLayout.OneMiB);
        flash.Program(0xB000, Enumerable.Repeat(fill, 256).ToArray());
        return flash;
    }

    private static byte At(string path) => File.ReadAllBytes(path)[0xB000];

    [Fact]
    public void Saving_keeps_the_files_mode()
    {
        using var dir = new TempDir();
        string path = dir.File("board.bin");
        FlashFile.Save(Chip(1), path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        FlashFile.Save(Chip(2), path);

        Assert.Equal(2, At(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        Assert.Equal(["board.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Saving_keeps_the_files_owner()
    {
        if (Privileges.Skip("a flash file of another owner keeps that owner when root saves it")) return;
        using var dir = new TempDir();
        string path = dir.File("board.bin");
        FlashFile.Save(Chip(1), path);
        Privileges.Chown(path, Privileges.NobodyId, Privileges.NobodyId);

        FlashFile.Save(Chip(2), path);

        Assert.Equal(2, At(path));
        Assert.Equal($"{Privileges.NobodyId}:{Privileges.NobodyId}", Privileges.Owner(path));
    }

    [Fact]
    public void A_read_only_file_is_refused_with_its_name_unless_forced_and_stays_read_only()
    {
        using var dir = new TempDir();
        string path = dir.File("board.bin");
        FlashFile.Save(Chip(1), path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var e = Assert.Throws<FlashFileAccessException>(() => FlashFile.Save(Chip(2), path));
        Assert.Equal($"'{path}' is read-only (mode 0444): left unchanged; make it writable, or use --force to write it anyway", e.Message);
        Assert.Equal(1, At(path));

        FlashFile.Save(Chip(3), path, force: true);
        Assert.Equal(3, At(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_symbolic_link_is_followed_to_read_and_to_write_and_stays_a_link()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("dumps"));
        FlashFile.Save(Chip(1), dir.File("dumps/board.bin"));
        File.CreateSymbolicLink(dir.File("current.bin"), "dumps/board.bin");

        Assert.Equal(1, FlashFile.Load(dir.File("current.bin")).Contents[0xB000]);
        FlashFile.Save(Chip(2), dir.File("current.bin"));

        Assert.Equal("dumps/board.bin", new FileInfo(dir.File("current.bin")).LinkTarget);
        Assert.Equal(2, At(dir.File("dumps/board.bin")));
        Assert.Equal(["board.bin"], Directory.GetFiles(dir.File("dumps")).Select(Path.GetFileName));

        File.Delete(dir.File("dumps/board.bin"));
        var missing = Assert.Throws<FileNotFoundException>(() => FlashFile.Load(dir.File("current.bin")));
        Assert.Equal($"flash file '{dir.File("current.bin")}' is a symbolic link to '{dir.File("dumps/board.bin")}', which does not exist", missing.Message);
    }

    [Fact]
    public async Task A_file_the_user_may_not_write_is_never_replaced_even_in_a_directory_they_may_write()
    {
        if (Privileges.Skip("an ordinary user's save of root's flash file in a world-writable directory is refused")) return;
        using var dir = new TempDir();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1FF);   // 0777, no sticky bit: a rename over root's file would be allowed
        string path = dir.File("board.bin");
        FlashFile.Save(Chip(1), path);
        string inode = Privileges.Stat(path, "%i");
        var before = File.ReadAllBytes(path);

        var r = await Privileges.RunCliAsNobodyAsync(dir.Path, "flash", "set-ota-address", "board.bin", "0x90000", "--force");

        Assert.Equal("error: 'board.bin' is not writable by you (owner uid 0, mode 0644): left unchanged", CliAssert.OneLineError(r, 9));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal("0:0", Privileges.Owner(path));
        Assert.Equal(["board.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal(inode, Privileges.Stat(path, "%i"));   // the same file, not a replacement
    }

    [Fact]
    public void A_failed_save_names_the_users_file_never_a_temporary_one()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("board.bin"));
        var e = Assert.ThrowsAny<IOException>(() => FlashFile.Save(Chip(1), dir.File("board.bin")));
        Assert.Equal($"cannot write flash file '{dir.File("board.bin")}': it is a directory", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }

    [Fact]
    public void A_flash_file_held_by_a_board_cannot_be_held_again_until_released()
    {
        using var dir = new TempDir();
        string path = dir.File("board.bin");
        FlashFile.Save(Chip(1), path);

        using (FlashFileLock.Acquire(path))
        {
            var e = Assert.Throws<FlashFileAccessException>(() => FlashFileLock.Acquire(path));
            Assert.StartsWith($"'{path}' is in use by another running board", e.Message);
            FlashFile.Save(Chip(2), path);   // the holder's own write-back replaces the file and keeps holding it
            Assert.Throws<FlashFileAccessException>(() => FlashFileLock.Acquire(path));
        }
        using (FlashFileLock.Acquire(path)) Assert.Equal(2, At(path));
    }
}
