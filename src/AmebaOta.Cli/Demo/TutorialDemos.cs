using AmebaOta.Families;
using AmebaOta.Flash;

namespace AmebaOta.Cli.Demo;

/// <summary>The tutorial of each family that has one.</summary>
public static class TutorialDemos
{
    private static readonly Dictionary<BoardFamily, Func<DemoOutput, FlashTiming, ITutorialDemo>> ByFamily = new()
    {
        [BoardFamilies.Ameba1] = (output, timing) => new TutorialDemo(output, timing),
        [BoardFamilies.AmebaD] = (output, timing) => new AmebaDTutorialDemo(output, timing),
    };

    /// <summary>The families with a tutorial, for the help text: <c>ameba1, amebad</c>.</summary>
    public static string Ids => string.Join(", ", ByFamily.Keys.Select(f => f.Id));

    /// <summary><paramref name="family"/>'s tutorial, or null when it has none.</summary>
    public static ITutorialDemo? For(BoardFamily family, DemoOutput output, FlashTiming timing) =>
        ByFamily.TryGetValue(family, out var make) ? make(output, timing) : null;
}
