namespace AmebaOta.Images;

/// <summary>Which example sketch the virtual board runs: <c>ota_basic</c> (blocking) or <c>ota_non_block</c> (background thread).</summary>
public enum SketchMode : byte
{
    Basic = 0,
    NonBlock = 1,
}

public static class SketchModes
{
    public static string Id(SketchMode mode) => mode == SketchMode.NonBlock ? "non-block" : "basic";

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
