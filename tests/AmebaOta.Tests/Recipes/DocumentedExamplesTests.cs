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
        foreach (var line in pages.SelectMany(File.ReadLines).Select(l => l.Trim()).Where(l => l.StartsWith("ameba-ota image make ", StringComparison.Ordinal)).Distinct())
            examples.Add(Optional().Replace(line.Split(" #")[0], "").Trim());
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
        Directory.CreateDirectory(dir.File("bin"));
        File.WriteAllText(dir.File("bin/ameba-ota"), $"#!/bin/sh\nexec dotnet '{Support.Cli.DllPath}' \"$@\"\n");
        File.SetUnixFileMode(dir.File("bin/ameba-ota"), (UnixFileMode)0b111_101_101);
        // The page's claim, checked before its last line: SIGINT does not stop the background farm.
        var lines = script.TrimEnd().Split('\n');
        string check = "kill -INT \"$farm\"; sleep 1; kill -0 \"$farm\" || { echo 'the farm stopped on SIGINT' >&2; exit 3; }";
        File.WriteAllText(dir.File("farm.sh"), "set -eu\n" + string.Join('\n', lines[..^1]) + "\n" + check + "\n" + lines[^1] + "\n");

        var run = await ShellRun.RunAsync("bash", [dir.File("farm.sh")], dir.Path,
            new Dictionary<string, string> { ["PATH"] = dir.File("bin") + ":" + Environment.GetEnvironmentVariable("PATH") }, TimeSpan.FromSeconds(90));

        string log = File.ReadAllText(dir.File("farm.log"));
        Assert.True(run.ExitCode == 0, run + "\n--- farm.log\n" + log);
        Assert.Contains("[farm] stopped; 20 flash files written back", log);
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
