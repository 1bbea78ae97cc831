namespace AmebaOta.Tests.Support;

/// <summary>Files of this repository (scripts, docs), found by walking up from the test assembly to AmebaOta.slnx.</summary>
public static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "AmebaOta.slnx"))) return dir.FullName;
        throw new InvalidOperationException("AmebaOta.slnx not found above " + AppContext.BaseDirectory);
    }
}
