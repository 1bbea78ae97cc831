using AmebaOta.Device.Sketches;
using AmebaOta.Families;
using AmebaOta.Families.AmebaPro2.Ota;
using AmebaOta.Images;

namespace AmebaOta.Device.Families.AmebaPro2;

/// <summary>A virtual AMB82-mini (RTL8735B): the <c>OTA</c> example, the OTA UI client (docs/reference sections 11.2–11.3).</summary>
public sealed class AmebaPro2VirtualFamily : IVirtualFamily
{
    /// <summary>The one instance.</summary>
    public static AmebaPro2VirtualFamily Instance { get; } = new();

    private AmebaPro2VirtualFamily() { }

    /// <inheritdoc />
    public BoardFamily Family => BoardFamilies.AmebaPro2;

    /// <inheritdoc />
    public ISketch? SketchFor(SketchDescriptor sketch, out string? unsupported)
    {
        unsupported = null;
        if (sketch.Mode == SketchMode.OtaHttp) return new OtaUiSketch(Pro2OtaUiProfile.Instance);
        unsupported = $"the {SketchModes.Id(sketch.Mode)} sketch does not run on an AmebaPro2 board (its OTA example is ota-http)";
        return null;
    }

    /// <summary><c>ota_platform_reset</c> calls <c>sys_reset()</c> at once.</summary>
    public TimeSpan ResetDelay => TimeSpan.Zero;

    /// <summary>No: the update task runs at FreeRTOS priority 1, below the network's; flash work only delays packets.</summary>
    public bool OtaStarvesNetwork => false;
}
