using System.Diagnostics;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

/// <summary>scripts/ci-ota-example.sh, docs/upload.md's CI recipe, run as a CI job would run it (with the built CLI).</summary>
public class CiExampleScriptTests
{
    [Fact]
    public async Task The_ci_example_updates_a_virtual_board_and_checks_it_boots_the_new_image()
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(RepoFiles.Path("scripts/ci-ota-example.sh"));
        psi.ArgumentList.Add("3");
        psi.Environment["AMEBA_OTA"] = $"dotnet {Support.Cli.DllPath}";
        psi.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout + await stderr;

        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("the board rebooted: it announced itself again", output);
        Assert.Contains("OK: the board rebooted into version 3", output);
    }
}
