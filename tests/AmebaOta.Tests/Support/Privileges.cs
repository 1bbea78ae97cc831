using System.Diagnostics;

namespace AmebaOta.Tests.Support;

/// <summary>
/// Whether the tests run as the real root (the machine's uid 0, not root of a user namespace that maps one id): only
/// then can a test give a file to another owner or run a command as an ordinary user. CI runs the suite as real root
/// (inside scripts/netns-run); a test that needs it and does not have it says so on stderr and checks nothing else.
/// </summary>
public static class Privileges
{
    public static bool IsRealRoot { get; } = Check();

    public const int NobodyId = 65534;

    private static bool Check()
    {
        try
        {
            var map = File.ReadAllText("/proc/self/uid_map").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return Environment.UserName == "root" && map is ["0", "0", "4294967295", ..];
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static bool Skip(string why)
    {
        if (IsRealRoot) return false;
        Console.Error.WriteLine($"[not checked: needs the real root] {why}");
        return true;
    }

    /// <summary>Sets a file's owner and group (needs the real root).</summary>
    public static void Chown(string path, int uid, int gid)
    {
        using var chown = Process.Start("chown", [$"{uid}:{gid}", path])!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    /// <summary>"uid:gid" of a file.</summary>
    public static string Owner(string path) => Stat(path, "%u:%g");

    /// <summary>stat(1) of a file in the given format (%i: inode, %u: owner...).</summary>
    public static string Stat(string path, string format)
    {
        var psi = new ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true };
        using var stat = Process.Start(psi)!;
        string owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }

    /// <summary>Runs the CLI as user nobody (setpriv; needs the real root).</summary>
    public static async Task<CliResult> RunCliAsNobodyAsync(string workingDirectory, params string[] args)
    {
        var psi = Cli.StartInfo(workingDirectory, args);
        psi.ArgumentList.Insert(0, psi.FileName);
        foreach (var a in new[] { "--clear-groups", $"--regid={NobodyId}", $"--reuid={NobodyId}" }) psi.ArgumentList.Insert(0, a);
        psi.FileName = "setpriv";
        psi.Environment["HOME"] = "/tmp";
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
