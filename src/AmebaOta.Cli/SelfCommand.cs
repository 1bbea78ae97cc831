namespace AmebaOta.Cli;

/// <summary>The command line that runs this same program again: the native or apphost executable, or <c>dotnet ameba-ota.dll</c>.</summary>
public static class SelfCommand
{
    public static IReadOnlyList<string> Parts { get; } = Find();

    private static string[] Find()
    {
        string process = Environment.ProcessPath ?? "ameba-ota";
        if (!Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return [process];
        return [process, Path.GetFullPath(Environment.GetCommandLineArgs()[0])];
    }

    /// <summary>One word for a POSIX shell: as it is when it is plain, otherwise in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '=' or ':' or '+' or ',')
            ? word
            : "'" + word.Replace("'", "'\\''") + "'";

    public static string Quoted(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
