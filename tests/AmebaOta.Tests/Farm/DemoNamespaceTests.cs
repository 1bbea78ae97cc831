using System.Text.RegularExpressions;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Farm;

/// <summary>
/// <c>ameba-ota demo</c> run bare on a stock machine, where <c>lo</c> has no MULTICAST flag and no multicast route: it
/// runs itself inside a private user + network namespace it creates, for root and for an ordinary user, and leaves the
/// machine's <c>lo</c> as it was; where no namespace can be made, one line names the command to run instead. "A stock
/// machine" is a fresh network namespace here, with <c>lo</c> up but multicast left off.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class DemoNamespaceTests
{
    /// <summary>A shell line that brings up a stock lo (no multicast), runs the command, then prints lo's flags.</summary>
    private const string Stock = "ip link set lo up && \"$@\"; status=$?; ip -o link show lo; exit $status";

    private static string[] Demo(params string[] prefix) => ["--net", "--", "sh", "-c", Stock, "sh", .. prefix, "dotnet", Support.Cli.DllPath, "demo"];

    private static void AssertTutorialRan(CliResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        var boots = r.Lines.Select(l => Regex.Match(l, @"^board │ Flash Image2:Addr (0x[0-9a-f]+),")).Where(m => m.Success).Select(m => m.Groups[1].Value);
        Assert.Equal(["0xb000", "0x80000", "0xb000", "0x80000"], boots);
        Assert.Contains(r.Lines, l => l.StartsWith("demo finished in "));
        // The stock lo is left alone: multicast was turned on only inside the demo's own namespace.
        Assert.DoesNotContain("MULTICAST", r.Lines[^1]);
        Assert.Contains("<LOOPBACK,UP,LOWER_UP>", r.Lines[^1]);
    }

    [Fact]
    public async Task As_root_on_a_stock_lo_the_demo_makes_its_own_namespace_and_works()
    {
        using var dir = new TempDir();
        AssertTutorialRan(await ShellRun.RunAsync("unshare", Demo(), dir.Path));
    }

    [Fact]
    public async Task As_an_ordinary_user_on_a_stock_lo_the_demo_makes_its_own_user_and_network_namespace_and_works()
    {
        if (Privileges.Skip("the demo as an ordinary user (setpriv to nobody)")) return;
        using var dir = new TempDir();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1FF);
        var r = await ShellRun.RunAsync("unshare",
            Demo("setpriv", $"--reuid={Privileges.NobodyId}", $"--regid={Privileges.NobodyId}", "--clear-groups"), dir.Path, new Dictionary<string, string> { ["HOME"] = "/tmp" });
        AssertTutorialRan(r);
    }

    [Fact]
    public async Task Where_no_namespace_can_be_made_one_line_names_the_command_to_run_instead()
    {
        using var dir = new TempDir();
        // No unshare on the PATH (only dotnet): the demo cannot make a namespace.
        Directory.CreateDirectory(dir.File("bin"));
        File.CreateSymbolicLink(dir.File("bin/dotnet"), "/usr/bin/dotnet");
        var r = await ShellRun.RunAsync("unshare", ["--net", "--", "sh", "-c", $"/usr/sbin/ip link set lo up && PATH={dir.File("bin")} exec \"$@\"", "sh", "dotnet", Support.Cli.DllPath, "demo"], dir.Path);

        string error = CliAssert.OneLineError(r, 9);
        Assert.Equal("error: demo: mDNS needs multicast on lo, which is off here, and no private network namespace can be made (no 'unshare' on the PATH); " +
                     $"run instead: ip link set lo multicast on && {new FileInfo("/usr/bin/dotnet").ResolveLinkTarget(true)?.FullName ?? "/usr/bin/dotnet"} {Support.Cli.DllPath} demo", error);
        Assert.Equal("", r.Stdout);
    }
}
