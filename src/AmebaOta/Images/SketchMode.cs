namespace AmebaOta.Images;

/// <summary>Which example sketch the virtual board runs: <c>ota_basic</c> (blocking) or <c>ota_non_block</c> (background thread).</summary>
public enum SketchMode : byte
{
    /// <summary>The <c>ota_basic</c> example: blocks in the OTA receiver.</summary>
    Basic = 0,
    /// <summary>The <c>ota_non_block</c> example: the OTA receiver runs in a background thread.</summary>
    NonBlock = 1,
}

/// <summary>Names of <see cref="SketchMode"/> values as the CLI spells them.</summary>
public static class SketchModes
{
    /// <summary><c>basic</c> or <c>non-block</c>.</summary>
    public static string Id(SketchMode mode) => mode == SketchMode.NonBlock ? "non-block" : "basic";

    /// <summary>Parses <c>basic</c> or <c>non-block</c>.</summary>
    public static bool TryParse(string text, out SketchMode mode)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "basic" or "ota_basic": mode = SketchMode.Basic; return true;
            case "non-block" or "nonblock" or "non_block" or "ota_non_block": mode = SketchMode.NonBlock; return true;
            default: mode = default; return false;
        }
    }
}
