using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using AmebaOta.Tests.Support;

namespace AmebaOta.Tests.Recipes;

/// <summary>
/// The README and docs/ are one set of pages: every relative link between them resolves to a file and, with a
/// <c>#fragment</c>, to a heading that exists (GitHub's anchors); the README shows one example of every command and each
/// command has a page that documents it.
/// </summary>
public partial class DocumentationLinksTests
{
    [Fact]
    public void Every_relative_link_resolves_to_a_file_and_anchor_that_exist()
    {
        var broken = new List<string>();
        var pages = MarkdownPages().ToList();
        Assert.Contains(pages, p => p.EndsWith("README.md", StringComparison.Ordinal));
        var links = 0;
        foreach (var page in pages)
            foreach (var target in Links(File.ReadAllText(page)))
            {
                links++;
                if (Broken(page, target) is { } why) broken.Add($"{Path.GetRelativePath(RepoFiles.Root, page)}: ({target}) {why}");
            }
        Assert.True(links > 50, $"only {links} relative links found: the link parser is broken");
        Assert.True(broken.Count == 0, "broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void The_link_checker_finds_a_missing_file_and_a_missing_anchor()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("a.md"), "# Title: `cmd` (one)\n\n## Same\n\n## Same\n\n```sh\n[x](in-a-code-block.md)\n```\n");
        var page = dir.File("b.md");
        Assert.Null(Broken(page, "a.md#title-cmd-one"));
        Assert.Null(Broken(page, "a.md#same-1"));
        Assert.Null(Broken(page, "a.md"));
        Assert.Equal("no heading #nope in a.md", Broken(page, "a.md#nope"));
        Assert.Equal("no such file or directory", Broken(page, "c.md"));
        Assert.Empty(Links(File.ReadAllText(dir.File("a.md"))));
        Assert.Equal(["x.md#y", "img.png"], Links("see [`x`](x.md#y) and ![pic](img.png \"title\"), not [web](https://example.org) or `[code](c.md)`"));
    }

    /// <summary>The README's example block names every command, and some docs/ page shows each one's usage.</summary>
    [Fact]
    public void The_readme_has_an_example_of_every_command_and_each_has_a_page()
    {
        var readme = File.ReadAllText(RepoFiles.Path("README.md"));
        var docs = string.Join("\n", Directory.EnumerateFiles(RepoFiles.Path("docs"), "*.md", SearchOption.AllDirectories).Select(File.ReadAllText));
        var missing = new List<string>();
        foreach (var command in LeafCommands(AmebaOta.Cli.Program.BuildRootCommand(), ""))
        {
            if (!Regex.IsMatch(readme, $@"^ameba-ota {Regex.Escape(command)}\b", RegexOptions.Multiline)) missing.Add($"README: no example of '{command}'");
            if (!docs.Contains("ameba-ota " + command, StringComparison.Ordinal)) missing.Add($"docs/: no page shows 'ameba-ota {command}'");
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    private static IEnumerable<string> LeafCommands(Command command, string path)
    {
        if (command.Subcommands.Count == 0 && path.Length > 0) yield return path;
        foreach (var sub in command.Subcommands)
            foreach (var leaf in LeafCommands(sub, (path + " " + sub.Name).Trim())) yield return leaf;
    }

    private static IEnumerable<string> MarkdownPages() =>
        Directory.EnumerateFiles(RepoFiles.Root, "*.md")
            .Concat(Directory.EnumerateFiles(RepoFiles.Path("docs"), "*.md", SearchOption.AllDirectories));

    /// <summary>Relative link targets of a Markdown text, outside code blocks and code spans.</summary>
    private static List<string> Links(string markdown) =>
        LinkPattern().Matches(CodeSpan().Replace(WithoutFences(markdown), ""))
            .Select(m => m.Groups["target"].Value)
            .Where(t => !Scheme().IsMatch(t))
            .ToList();

    /// <summary>Why a link from <paramref name="page"/> is broken, or null when it resolves.</summary>
    private static string? Broken(string page, string target)
    {
        var hash = target.IndexOf('#');
        var path = hash < 0 ? target : target[..hash];
        var fragment = hash < 0 ? null : target[(hash + 1)..];
        var resolved = path.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path)));
        if (!File.Exists(resolved) && !Directory.Exists(resolved)) return "no such file or directory";
        if (fragment is null) return null;
        if (!resolved.EndsWith(".md", StringComparison.Ordinal) || !File.Exists(resolved)) return "an anchor into a file that is not Markdown";
        return Anchors(File.ReadAllText(resolved)).Contains(fragment) ? null : $"no heading #{fragment} in {Path.GetFileName(resolved)}";
    }

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>();
        foreach (Match heading in Heading().Matches(WithoutFences(markdown)))
        {
            var text = LinkPattern().Replace(heading.Groups["text"].Value.Trim(), m => m.Groups["label"].Value);
            var slug = new StringBuilder();
            foreach (var c in text.ToLowerInvariant())
                if (char.IsLetterOrDigit(c) || c == '-' || c == '_') slug.Append(c);
                else if (c == ' ') slug.Append('-');
            var anchor = slug.ToString();
            for (var n = 1; !anchors.Add(anchor); n++) anchor = $"{slug}-{n}";
        }
        return anchors;
    }

    private static string WithoutFences(string markdown)
    {
        var kept = new StringBuilder();
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inFence = !inFence; continue; }
            if (!inFence) kept.Append(line).Append('\n');
        }
        return kept.ToString();
    }

    [GeneratedRegex(@"!?\[(?<label>[^\]]*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase)]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^#{1,6}[ \t]+(?<text>.+?)[ \t]*#*[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
