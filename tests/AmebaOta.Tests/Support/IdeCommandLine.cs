using System.Text;

namespace AmebaOta.Tests.Support;

/// <summary>How the Arduino IDE / arduino-cli turn a pattern into a command: split on spaces, double quotes grouping.</summary>
public static class IdeCommandLine
{
    public static string[] Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line)
        {
            if (c == '"') { quoted = !quoted; any = true; }
            else if (c == ' ' && !quoted) { if (any) words.Add(word.ToString()); word.Clear(); any = false; }
            else { word.Append(c); any = true; }
        }
        if (any) words.Add(word.ToString());
        return [.. words];
    }
}
