using System.Text.RegularExpressions;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

public partial class DocumentedExamplesTests
{
    /// <summary>
    /// docs/database.md's "try it on one machine", pasted into a shell as the page says (from the repository's root, with job
    /// control, stopping at the first error), inside a namespace of the test's own: a PostgreSQL of its own, two sites each
    /// in its namespace with five boards and an agent, one rollout over the ten boards, the history. As root, a <c>sudo</c> on
    /// the PATH runs its command as the user named (<c>setpriv</c>); the recipe is otherwise untouched.
    /// </summary>
    [Fact]
    public async Task The_documented_shared_database_recipe_rolls_out_to_two_sites_through_their_agents()
    {
        if (Privileges.Skip("the recipe runs PostgreSQL as the postgres user")) return;
        var recipe = CodeBlocks(File.ReadAllText(RepoFiles.Path("docs/database.md"))).Single(b => b.Contains("initdb", StringComparison.Ordinal));
        using var dir = new TempDir();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0b111_101_101);   // postgres goes through it to its directory
        File.WriteAllText(dir.File("recipe.sh"), recipe + "\n");
        var environment = ToolOnPath(dir);
        File.WriteAllText(dir.File("bin/sudo"), "#!/bin/sh\n" +
            "if [ \"$1\" = -u ]; then u=$2; shift 2; exec setpriv --reuid=\"$u\" --regid=\"$u\" --init-groups -- \"$@\"; fi\nexec \"$@\"\n");
        File.SetUnixFileMode(dir.File("bin/sudo"), (UnixFileMode)0b111_101_101);
        environment["TMPDIR"] = dir.Path;   // mktemp -d: inside the test's directory, removed with it
        // Whatever happens, nothing is left running: the sites, and PostgreSQL (pg_ctl leaves it running in the background).
        const string Cleanup = "trap 'rc=$?; set +e; kill $(jobs -p) 2>/dev/null; [ -f pg/data/postmaster.pid ] && sudo -u postgres $B/pg_ctl -D pg/data -m immediate stop; exit $rc' EXIT";
        var run = await ShellRun.RunAsync("unshare", ["--net", "--", "bash", "-c", $"ip link set lo up && set -eum && {Cleanup} && . {dir.File("recipe.sh")}"],
            RepoFiles.Root, environment, TimeSpan.FromSeconds(300));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"field +1 of 1 +5 of 5", run.Stdout);   // sites --wait-boards 10: both sites' agents see their boards
        Assert.Matches(@"lab +1 of 1 +5 of 5", run.Stdout);
        Assert.Contains("rollout 1: completed in", run.Stdout);
        Assert.Contains(": 10 success, 0 already-installed, 0 failure, 0 aborted, 0 pending", run.Stdout);
        Assert.True(Regex.Matches(run.Stdout, @"(lab|field)-00\d +ameba1 +v2\.bin \w+ v2 +rebooted .* fleet rollout #1 by \S+ at \1").Count == 10, run.Stdout);
        Assert.Contains("server stopped", run.Stdout);
    }
}
