using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

/// <summary>A clone of this repository alone runs everything: nothing it needs lives outside it, and its scripts say when they fail.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class StandaloneRepositoryTests
{
    private static readonly string[] Outside = ["../" + "shared", "/work/" + "shared"];

    [Fact]
    public void No_file_of_the_repository_points_outside_it()
    {
        string[] dirs = ["scripts", ".ci", "src", "tests", "bench", "docs"];
        var files = dirs.Select(RepoFiles.Path).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Concat(Directory.EnumerateFiles(RepoFiles.Root, "*.md"));
        var offenders = files.Where(f => Outside.Any(File.ReadAllText(f).Contains)).Select(f => Path.GetRelativePath(RepoFiles.Root, f)).ToList();
        Assert.True(offenders.Count == 0, "files that point outside the repository: " + string.Join(", ", offenders));
        Assert.True(File.Exists(RepoFiles.Path("scripts/netns-run")));
        Assert.True((File.GetUnixFileMode(RepoFiles.Path("scripts/netns-run")) & UnixFileMode.UserExecute) != 0);
    }

    [Fact]
    public async Task The_repositorys_netns_run_gives_a_private_namespace_with_multicast_on_lo_only()
    {
        var r = await ShellRun.RunAsync(RepoFiles.Path("scripts/netns-run"), ["sh", "-c", "ip -o link show; ip route show table all | grep 224"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Single(r.Lines, l => l.Contains(": <"));   // one interface
        Assert.Contains("lo: <LOOPBACK,MULTICAST,UP,LOWER_UP>", r.Stdout);
        Assert.Contains("224.0.0.0/4 dev lo", r.Stdout);
    }

    [Fact]
    public async Task Demo_sh_shows_a_failed_build_and_exits_with_its_code()
    {
        // A copy of the script in a repository whose CLI does not compile.
        using var repo = new TempDir();
        Directory.CreateDirectory(repo.File("scripts"));
        Directory.CreateDirectory(repo.File("src/AmebaOta.Cli"));
        File.Copy(RepoFiles.Path("scripts/demo.sh"), repo.File("scripts/demo.sh"));
        File.WriteAllText(repo.File("src/AmebaOta.Cli/AmebaOta.Cli.csproj"),
            "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>");
        File.WriteAllText(repo.File("src/AmebaOta.Cli/Program.cs"), "class Program { static void Main() { int x = \"not a number\"; } }");

        var r = await ShellRun.RunAsync("bash", [repo.File("scripts/demo.sh")], repo.Path, new Dictionary<string, string> { ["AMEBAOTA_NETNS_RUN"] = "/bin/false" });

        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("demo.sh: building ameba-ota (", r.Stderr);   // said before the build, which takes minutes the first time
        Assert.Contains("error CS0029", r.Stderr);   // the compiler's own line, with file and position
        Assert.Contains("Program.cs(1,", r.Stderr);
        Assert.Contains("demo.sh: the build failed (dotnet build src/AmebaOta.Cli -c Release exited 1); the errors are above", r.Stderr);
    }
}
