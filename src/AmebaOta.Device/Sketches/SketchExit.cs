namespace AmebaOta.Device.Sketches;

/// <summary>How a sketch's run ended.</summary>
public enum SketchExit
{
    /// <summary><c>sys_reset()</c>: the board reboots (after an OTA success).</summary>
    Reboot,
    /// <summary><c>loop()</c> does nothing from here on: the board idles until reset.</summary>
    Idle,
}
