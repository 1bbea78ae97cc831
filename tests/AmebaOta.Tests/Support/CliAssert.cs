namespace AmebaOta.Tests.Support;

public static class CliAssert
{
    /// <summary>Exit 0 and nothing on stderr.</summary>
    public static CliResult Ok(CliResult r)
    {
        Assert.True(r.ExitCode == 0 && r.Stderr.Length == 0, r.ToString());
        return r;
    }

    /// <summary>The given exit code, and stderr exactly one <c>error: …</c> line: no stack trace, no usage dump.</summary>
    public static string OneLineError(CliResult r, int exitCode)
    {
        Assert.True(r.ExitCode == exitCode, $"expected exit {exitCode}\n{r}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line\n{r}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
        return lines[0].TrimEnd('\r');
    }
}
