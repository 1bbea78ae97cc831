using AmebaOta.Device.Sketches;
using AmebaOta.Families;
using AmebaOta.Images;

namespace AmebaOta.Device.Families;

/// <summary>
/// What a virtual board of one family runs that boards of other families run differently: the example sketches its
/// images can carry. Its boot code is the family's own (<see cref="BoardFamily.Boot"/>, shared with the host's
/// <c>flash boot</c>); the rest of the board (flash, Wi-Fi, mDNS, serial, reset and power cuts) is
/// <see cref="VirtualBoard"/>'s and shared.
/// </summary>
public interface IVirtualFamily
{
    /// <summary>The family.</summary>
    BoardFamily Family { get; }

    /// <summary>The sketch that runs <paramref name="sketch"/> on this family's boards, or null with the reason it cannot run here.</summary>
    ISketch? SketchFor(SketchDescriptor sketch, out string? unsupported);

    /// <summary>The OTA port the family's basic sketch listens on (Ameba1's ota_basic: 5000).</summary>
    int DefaultOtaPort => SketchDescriptor.DefaultPort;

    /// <summary>The OTA receiver's <c>SO_RCVTIMEO</c> on the family's boards (Ameba1: 30 s).</summary>
    TimeSpan DefaultReceiveTimeout => AmebaOta.Families.Ameba1.Push.OtaReceiverOptions.DefaultReceiveTimeout;

    /// <summary>From a sketch's reboot request to the chip's reset: Ameba1's <c>sys_reset()</c> waits 100 ms.</summary>
    TimeSpan ResetDelay => VirtualBoard.SysResetDelay;

    /// <summary>
    /// True when the family's OTA code starves the network threads while it erases (Ameba1: it busy-waits at a priority
    /// above them, docs/reference section 9), so mDNS goes deaf meanwhile.
    /// </summary>
    bool OtaStarvesNetwork => true;
}
