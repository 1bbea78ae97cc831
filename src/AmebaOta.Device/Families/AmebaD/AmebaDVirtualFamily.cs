using AmebaOta.Device.Families.AmebaD.Sketches;
using AmebaOta.Device.Sketches;
using AmebaOta.Families.AmebaD.Ota;
using AmebaOta.Families;
using AmebaOta.Images;

namespace AmebaOta.Device.Families.AmebaD;

/// <summary>A virtual AmebaD board (BW16, AMB21–AMB26): the AmebaD example sketches (docs/reference section 11).</summary>
public sealed class AmebaDVirtualFamily : IVirtualFamily
{
    /// <summary>The one instance.</summary>
    public static AmebaDVirtualFamily Instance { get; } = new();

    private AmebaDVirtualFamily() { }

    /// <inheritdoc />
    public BoardFamily Family => BoardFamilies.AmebaD;

    /// <inheritdoc />
    public ISketch? SketchFor(SketchDescriptor sketch, out string? unsupported)
    {
        unsupported = null;
        if (sketch.Mode == SketchMode.Basic) return new OtaBasicSketch();
        if (sketch.Mode == SketchMode.OtaHttp) return new OtaUiSketch(AmebaDOtaUiProfile.Instance);
        unsupported = $"the AmebaD {SketchModes.Id(sketch.Mode)} sketch is not supported by this virtual board yet";
        return null;
    }

    /// <summary><c>OTA_PORT</c> of <c>OTA_Basic</c>: 8082 (it advertises 5000).</summary>
    public int DefaultOtaPort => AmebaOta.Families.AmebaD.AmebaDFamily.OtaPort;

    /// <summary><c>ota_accept_socket</c>'s 3 s.</summary>
    public TimeSpan DefaultReceiveTimeout => AmebaOta.Families.AmebaD.Push.AmebaDReceiverOptions.DefaultReceiveTimeout;

    /// <summary><c>ota_platform_reset</c> arms the watchdog with 50 ms (its 100 ms wait is the receiver's).</summary>
    public TimeSpan ResetDelay => TimeSpan.FromMilliseconds(50);

    /// <summary>No: the sketch task runs at FreeRTOS priority 1, below lwIP's 9; an erase only delays packets (docs/reference section 11.6).</summary>
    public bool OtaStarvesNetwork => false;
}
