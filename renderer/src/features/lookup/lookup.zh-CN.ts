/** Texts of product lookup, Simplified Chinese (the reference: keys and {placeholders}). */
export const lookupZhCN = {
  'lookup.search.label': '商品查询',
  'lookup.search.placeholder': '扫描条码，或输入 EAN、SKU、款号、品名',
  'lookup.search.submit': '查询',
  'lookup.search.clear': '清除',
  'lookup.search.busy': '正在查询…',
  'lookup.search.hint': '扫描商品条码，或输入条码、SKU、款号或品名后按回车。',

  'lookup.notFoundBarcode': '条码 {code} 不在商品目录中',
  'lookup.notFoundQuery': '没有找到与“{query}”匹配的商品',
  'lookup.invalidBarcode': '条码校验位错误或长度不对：{code}。请重新扫描，或核对号码后再输入。',

  'lookup.results.count': '找到 {count} 个款式',
  'lookup.results.truncated': '结果较多，只显示前 {count} 个。请输入更完整的品名或款号。',
  'lookup.results.back': '返回结果列表',
  'lookup.results.stock': '本店 {count} 件',

  'lookup.card.styleCode': '款号',
  'lookup.card.category': '品类',
  'lookup.card.colour': '颜色',
  'lookup.card.size': '尺码',
  'lookup.card.ean': 'EAN',
  'lookup.card.sku': 'SKU',
  'lookup.card.stockHere': '本店库存',
  'lookup.card.pieces': '{count} 件',
  'lookup.card.inactive': '已停售',
  'lookup.card.pickSize': '请在下方表格中选择颜色和尺码',
  'lookup.card.styleStock': '本款本店共 {count} 件',

  'lookup.matrix.title': '颜色 / 尺码 · 本店库存',
  'lookup.matrix.colour': '颜色',
  'lookup.matrix.noSku': '无此规格',
  'lookup.matrix.inactive': '停售',
  'lookup.matrix.cellLabel': '{colour} {size}：库存 {stock}',

  'lookup.scan.ok': '扫描 ✓ {code}',
  'lookup.scan.unknown': '无法识别的条码 {raw}',
  'lookup.scan.submitFailed': '扫描未能送达终端：{reason}',
} as const satisfies Record<string, string>;
