using AmebaOta.Device.Families.Ameba1;
using AmebaOta.Device.Families.AmebaD;
using AmebaOta.Device.Families.AmebaPro2;
using AmebaOta.Families;

namespace AmebaOta.Device.Families;

/// <summary>The virtual board of every family this version can run.</summary>
public static class VirtualFamilies
{
    /// <summary>Every virtual family, in <see cref="BoardFamilies.All"/>'s order.</summary>
    public static IReadOnlyList<IVirtualFamily> All { get; } = [Ameba1VirtualFamily.Instance, AmebaDVirtualFamily.Instance, AmebaPro2VirtualFamily.Instance];

    /// <summary>The virtual board of <paramref name="family"/>, or null when this version cannot run that family's boards.</summary>
    public static IVirtualFamily? For(BoardFamily family) => All.FirstOrDefault(v => v.Family == family);
}
