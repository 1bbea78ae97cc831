using AmebaOta.Protocol;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Cli;

/// <summary>Small things a user trips on: errors that name the file and the way out, help that agrees with the behaviour, no silent overwrite.</summary>
public class SmallUsabilityCliTests
{
    private static Task<CliResult> Run(TempDir dir, params string[] args) => Support.Cli.RunAsync(dir.Path, args);

    [Theory]
    [InlineData("image", "info", "junk.bin")]
    [InlineData("upload", "junk.bin", "--ip", "127.0.0.1")]
    [InlineData("fleet", "upload", "junk.bin", "--ip", "127.0.0.1")]
    [InlineData("flash", "dap", "board.bin", "junk.bin")]
    [InlineData("publish", "junk.bin", "--to", "site")]
    public async Task A_file_that_is_not_an_image_is_named_in_the_error(params string[] args)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("junk.bin"), "this is a text file, not firmware\n");
        Assert.Equal(0, (await Run(dir, "flash", "create", "board.bin")).ExitCode);

        string error = CliAssert.OneLineError(await Run(dir, args), 2);

        Assert.StartsWith($"error: '{dir.File("junk.bin")}': not an Ameba image: signature words", error);
    }

    [Fact]
    public async Task Upload_without_an_address_mentions_device()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2));
        string error = CliAssert.OneLineError(await Run(dir, "upload", "v2.bin"), 1);
        Assert.Equal("error: no board given: use --ip ADDRESS (or -i ADDRESS), or --device NAME to find it by mDNS", error);
    }

    /// <summary>The figure in <c>--wait-reboot</c>'s help is the wait the option gives a 480 KiB image, and the one docs/upload.md gives.</summary>
    [Fact]
    public async Task Wait_reboot_help_gives_the_wait_the_behaviour_uses()
    {
        using var dir = new TempDir();
        string figure = OtaUploadBudget.Seconds(OtaUploadBudget.DefaultRebootWait(480 * 1024));
        foreach (var command in new[] { new[] { "upload", "--help" }, ["fleet", "upload", "--help"] })
        {
            var help = await Run(dir, command);
            Assert.Contains($"{figure} for 480 KiB", System.Text.RegularExpressions.Regex.Replace(help.Stdout, @"\s+", " "));
        }
        Assert.Contains($"{figure} for 480 KiB", File.ReadAllText(RepoFiles.Path("docs/upload.md")));
    }

    [Fact]
    public async Task Publish_replaces_files_only_with_force()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2));
        File.WriteAllBytes(dir.File("v3.bin"), TestImages.Image(3));
        Assert.Equal(0, (await Run(dir, "publish", "v2.bin", "--to", "site")).ExitCode);
        byte[] published = File.ReadAllBytes(dir.File("site/ota.bin"));

        string error = CliAssert.OneLineError(await Run(dir, "publish", "v3.bin", "--to", "site"), 2);
        Assert.Equal($"error: '{dir.File("site")}' already holds ota.bin, check.txt, ota_sdk.bin; use --force to replace them", error);
        Assert.Equal(published, File.ReadAllBytes(dir.File("site/ota.bin")));

        Assert.Equal(0, (await Run(dir, "publish", "v3.bin", "--to", "site", "--force")).ExitCode);
        Assert.NotEqual(published, File.ReadAllBytes(dir.File("site/ota.bin")));
    }

    [Theory]
    [InlineData("help")]
    [InlineData("help", "fleet", "rollout")]
    public async Task Help_is_a_command_too(params string[] args)
    {
        using var dir = new TempDir();
        var help = await Run(dir, args);
        var asOption = await Run(dir, [.. args[1..], "--help"]);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Equal(asOption.Stdout, help.Stdout);
        Assert.Contains("Usage:", help.Stdout);
    }

    [Fact]
    public async Task Read_only_commands_do_not_offer_to_record_nothing()
    {
        using var dir = new TempDir();
        foreach (var command in new[] { "history", "boards" })
            Assert.DoesNotContain("do not record", (await Run(dir, command, "--help")).Stdout);
        Assert.Contains("do not record", (await Run(dir, "upload", "--help")).Stdout);
    }
}
