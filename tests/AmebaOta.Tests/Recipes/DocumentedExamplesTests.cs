using System.Text.RegularExpressions;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

/// <summary>The examples the README and docs/ show run as shown: a user who copies one gets no error and no warning.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public partial class DocumentedExamplesTests
{
    /// <summary>Every <c>ameba-ota image make</c> line in a code block, its <c>[optional]</c> parts and comment dropped.</summary>
    public static TheoryData<string> ImageMakeExamples()
    {
        var examples = new TheoryData<string>();
        var pages = Directory.EnumerateFiles(RepoFiles.Root, "*.md").Concat(Directory.EnumerateFiles(RepoFiles.Path("docs"), "*.md", SearchOption.AllDirectories));
        foreach (var line in pages.SelectMany(File.ReadLines).Select(l => l.Trim()).Where(l => l.StartsWith("ameba-ota image make ", StringComparison.Ordinal))
                     .Select(l => Optional().Replace(l.Split(" #")[0].Split(" && ")[0], "").Trim()).Distinct())
            examples.Add(line);
        return examples;
    }

    [Theory]
    [MemberData(nameof(ImageMakeExamples))]
    public async Task An_image_make_example_runs_without_error_or_warning(string example)
    {
        using var dir = new TempDir();
        var args = Regex.Split(example, @"\s+")[1..];
        var result = await Support.Cli.RunAsync(dir.Path, args);
        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, $"{example}\n{result}");
    }

    /// <summary>
    /// docs/device.md's script for a background farm, run as a script runs it (the tool on the PATH): the farm ignores
    /// SIGINT there, as the page says, and the SIGTERM it says to send stops it cleanly.
    /// </summary>
    [Fact]
    public async Task The_documented_background_farm_script_stops_with_SIGTERM_and_ignores_SIGINT()
    {
        var script = CodeBlocks(File.ReadAllText(RepoFiles.Path("docs/device.md"))).Single(b => b.Contains("kill \"$farm\"", StringComparison.Ordinal));
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v1.bin"), TestImages.Image(1));
        // The page's claim, checked before its last line: SIGINT does not stop the background farm.
        var lines = script.TrimEnd().Split('\n');
        string check = "kill -INT \"$farm\"; sleep 1; kill -0 \"$farm\" || { echo 'the farm stopped on SIGINT' >&2; exit 3; }";
        File.WriteAllText(dir.File("farm.sh"), "set -eu\n" + string.Join('\n', lines[..^1]) + "\n" + check + "\n" + lines[^1] + "\n");

        var run = await ShellRun.RunAsync("bash", [dir.File("farm.sh")], dir.Path,
            ToolOnPath(dir), TimeSpan.FromSeconds(90));

        string log = File.ReadAllText(dir.File("farm.log"));
        Assert.True(run.ExitCode == 0, run + "\n--- farm.log\n" + log);
        Assert.Contains("[farm] stopped; 20 flash files written back", log);
    }

    /// <summary>
    /// docs/arduino.md's way to try Arduino IDE 1.8 against a virtual board: its commands (without sudo), run inside a
    /// namespace of the test's own standing for the user's machine (with a private /run, where ip netns keeps its names),
    /// give a board on the veth that discover lists with IDE 1.8's label and that an upload by name updates.
    /// </summary>
    [Fact]
    public async Task The_documented_veth_recipe_for_IDE_1_8_gives_a_board_that_discover_lists_and_upload_updates()
    {
        var recipe = CodeBlocks(File.ReadAllText(RepoFiles.Path("docs/arduino.md"))).Single(b => b.Contains("ip netns add ameba-board", StringComparison.Ordinal));
        var lines = recipe.Trim().Split('\n').Select(l => l.StartsWith("sudo ", StringComparison.Ordinal) ? l[5..] : l).ToArray();
        Assert.Contains("device run", lines[^1]);
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("v2.bin"), TestImages.Image(2));
        File.WriteAllText(dir.File("recipe.sh"), string.Join('\n',
        [
            "set -eu",
            "trap 'ip netns del ameba-board 2>/dev/null || true' EXIT",
            .. lines[..^1],
            // Typed by hand the veth is up long before the board starts; a script must wait for its carrier.
            "until [ \"$(ip netns exec ameba-board cat /sys/class/net/ameba-board/operstate)\" = up ]; do sleep 0.1; done",
            lines[^1] + " >serial.log 2>board.err &",
            "board=$!",
            "ameba-ota discover --device MyAmeba --timeout 20 --db none >discover.txt",
            "ameba-ota upload v2.bin --device MyAmeba --wait-reboot 30 --db none >upload.txt",
            "kill \"$board\"; wait \"$board\"",
        ]) + "\n");

        var run = await ShellRun.RunAsync("unshare", ["--net", "--mount", "--", "sh", "-c", "mount -t tmpfs tmpfs /run && ip link set lo up && exec bash recipe.sh"],
            dir.Path, ToolOnPath(dir), TimeSpan.FromSeconds(120));

        string Read(string name) => File.Exists(dir.File(name)) ? File.ReadAllText(dir.File(name)) : "";
        Assert.True(run.ExitCode == 0, $"{run}\n--- board\n{Read("serial.log")}{Read("board.err")}\n--- upload\n{Read("upload.txt")}");
        Assert.Equal("MyAmeba at 10.77.0.2 (RTL8195AM)  host MyAmeba.local  port 5000  board ameba_rtl8195a  family ameba1", Read("discover.txt").Trim());
        Assert.Contains("the board rebooted", Read("upload.txt"));
        Assert.Contains("This is version 2", Read("serial.log"));
    }

    /// <summary>
    /// The Boards Manager installs Realtek's Ameba1 package (vendor realtek, architecture Ameba1 in its index) as
    /// packages/realtek/hardware/Ameba1/VERSION: a platform.local.txt put anywhere else is never read.
    /// </summary>
    [Fact]
    public void The_arduino_docs_put_platform_local_txt_where_the_boards_manager_installs_the_package()
    {
        foreach (var file in new[] { "docs/arduino.md", "docs/arduino/platform.local.txt", "docs/arduino/discovery/platform.local.txt" })
        {
            string text = File.ReadAllText(RepoFiles.Path(file));
            Assert.Contains("packages/realtek/hardware/Ameba1/<version>", text);
            Assert.DoesNotContain("AmebaOne", text);
        }
    }

    /// <summary>An environment whose PATH has <c>ameba-ota</c>: the built CLI, as a script's commands name it.</summary>
    private static Dictionary<string, string> ToolOnPath(TempDir dir)
    {
        Directory.CreateDirectory(dir.File("bin"));
        File.WriteAllText(dir.File("bin/ameba-ota"), $"#!/bin/sh\nexec dotnet '{Support.Cli.DllPath}' \"$@\"\n");
        File.SetUnixFileMode(dir.File("bin/ameba-ota"), (UnixFileMode)0b111_101_101);
        return new() { ["PATH"] = dir.File("bin") + ":" + Environment.GetEnvironmentVariable("PATH") };
    }

    private static IEnumerable<string> CodeBlocks(string markdown)
    {
        var block = new List<string>();
        bool inside = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (inside) yield return string.Join('\n', block);
                block.Clear();
                inside = !inside;
            }
            else if (inside) block.Add(line);
        }
    }

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Optional();
}
