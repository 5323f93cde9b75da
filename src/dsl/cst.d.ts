import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface FileCstNode extends CstNode {
  name: "file";
  children: FileCstChildren;
}

export type FileCstChildren = {
  body: BodyCstNode[];
};

export interface BodyCstNode extends CstNode {
  name: "body";
  children: BodyCstChildren;
}

export type BodyCstChildren = {
  Newline?: IToken[];
  attribute?: AttributeCstNode[];
  block?: BlockCstNode[];
};

export interface AttributeCstNode extends CstNode {
  name: "attribute";
  children: AttributeCstChildren;
}

export type AttributeCstChildren = {
  Name: IToken[];
  Equals: IToken[];
  expression: ExpressionCstNode[];
  Newline?: IToken[];
};

export interface BlockCstNode extends CstNode {
  name: "block";
  children: BlockCstChildren;
}

export type BlockCstChildren = {
  Identifier: IToken[];
  blockLabel?: BlockLabelCstNode[];
  LCurly: IToken[];
  body: BodyCstNode[];
  RCurly: IToken[];
  Newline?: IToken[];
};

export interface BlockLabelCstNode extends CstNode {
  name: "blockLabel";
  children: BlockLabelCstChildren;
}

export type BlockLabelCstChildren = {
  StringStart?: IToken[];
  StringText?: IToken[];
  StringEnd?: IToken[];
  Identifier?: IToken[];
};

export interface ExpressionCstNode extends CstNode {
  name: "expression";
  children: ExpressionCstChildren;
}

export type ExpressionCstChildren = {
  operand: (OperandCstNode)[];
  BinaryOperator?: IToken[];
  Question?: IToken[];
  expression?: (ExpressionCstNode)[];
  Colon?: IToken[];
};

export interface OperandCstNode extends CstNode {
  name: "operand";
  children: OperandCstChildren;
}

export type OperandCstChildren = {
  Bang?: IToken[];
  Minus?: IToken[];
  NumberLit?: (IToken)[];
  True?: IToken[];
  False?: IToken[];
  Null?: IToken[];
  templateExpression?: TemplateExpressionCstNode[];
  heredocExpression?: HeredocExpressionCstNode[];
  listExpression?: ListExpressionCstNode[];
  objectExpression?: ObjectExpressionCstNode[];
  functionCall?: FunctionCallCstNode[];
  Identifier?: IToken[];
  parenExpression?: ParenExpressionCstNode[];
  Dot?: IToken[];
  Name?: IToken[];
  Star?: (IToken)[];
  LBracket?: IToken[];
  expression?: ExpressionCstNode[];
  RBracket?: IToken[];
};

export interface TemplateExpressionCstNode extends CstNode {
  name: "templateExpression";
  children: TemplateExpressionCstChildren;
}

export type TemplateExpressionCstChildren = {
  StringStart: IToken[];
  StringText?: IToken[];
  templateInterpolation?: TemplateInterpolationCstNode[];
  templateDirective?: TemplateDirectiveCstNode[];
  StringEnd: IToken[];
};

export interface HeredocExpressionCstNode extends CstNode {
  name: "heredocExpression";
  children: HeredocExpressionCstChildren;
}

export type HeredocExpressionCstChildren = {
  HeredocStart: IToken[];
  HeredocText?: IToken[];
  templateInterpolation?: TemplateInterpolationCstNode[];
  templateDirective?: TemplateDirectiveCstNode[];
  HeredocEnd: IToken[];
};

export interface TemplateFileCstNode extends CstNode {
  name: "templateFile";
  children: TemplateFileCstChildren;
}

export type TemplateFileCstChildren = {
  TemplateFileText?: IToken[];
  templateInterpolation?: TemplateInterpolationCstNode[];
  templateDirective?: TemplateDirectiveCstNode[];
};

export interface TemplateInterpolationCstNode extends CstNode {
  name: "templateInterpolation";
  children: TemplateInterpolationCstChildren;
}

export type TemplateInterpolationCstChildren = {
  TemplateOpen: IToken[];
  expression: ExpressionCstNode[];
  RCurly?: IToken[];
  StripRCurly?: IToken[];
};

export interface TemplateDirectiveCstNode extends CstNode {
  name: "templateDirective";
  children: TemplateDirectiveCstChildren;
}

export type TemplateDirectiveCstChildren = {
  DirectiveOpen: IToken[];
  For?: IToken[];
  Identifier?: (IToken)[];
  Comma?: IToken[];
  In?: IToken[];
  expression?: (ExpressionCstNode)[];
  If?: IToken[];
  RCurly?: IToken[];
  StripRCurly?: IToken[];
};

export interface ListExpressionCstNode extends CstNode {
  name: "listExpression";
  children: ListExpressionCstChildren;
}

export type ListExpressionCstChildren = {
  LBracket: IToken[];
  forListBody?: ForListBodyCstNode[];
  RBracket?: IToken[];
  listItems?: ListItemsCstNode[];
};

export interface ListItemsCstNode extends CstNode {
  name: "listItems";
  children: ListItemsCstChildren;
}

export type ListItemsCstChildren = {
  expression?: (ExpressionCstNode)[];
  Comma?: (IToken)[];
  RBracket: IToken[];
};

export interface ObjectExpressionCstNode extends CstNode {
  name: "objectExpression";
  children: ObjectExpressionCstChildren;
}

export type ObjectExpressionCstChildren = {
  LCurly: IToken[];
  forObjectBody?: ForObjectBodyCstNode[];
  Newline?: (IToken)[];
  objectItem?: ObjectItemCstNode[];
  Comma?: IToken[];
  RCurly: IToken[];
};

export interface ObjectItemCstNode extends CstNode {
  name: "objectItem";
  children: ObjectItemCstChildren;
}

export type ObjectItemCstChildren = {
  Name?: IToken[];
  expression: (ExpressionCstNode)[];
  Equals?: IToken[];
  Colon?: IToken[];
};

export interface ForIntroCstNode extends CstNode {
  name: "forIntro";
  children: ForIntroCstChildren;
}

export type ForIntroCstChildren = {
  For: IToken[];
  Identifier: (IToken)[];
  Comma?: IToken[];
  In: IToken[];
  expression: ExpressionCstNode[];
  Colon: IToken[];
};

export interface ForListBodyCstNode extends CstNode {
  name: "forListBody";
  children: ForListBodyCstChildren;
}

export type ForListBodyCstChildren = {
  forIntro: ForIntroCstNode[];
  expression: ExpressionCstNode[];
  forCondition?: ForConditionCstNode[];
};

export interface ForObjectBodyCstNode extends CstNode {
  name: "forObjectBody";
  children: ForObjectBodyCstChildren;
}

export type ForObjectBodyCstChildren = {
  forIntro: ForIntroCstNode[];
  expression: (ExpressionCstNode)[];
  FatArrow: IToken[];
  Ellipsis?: IToken[];
  forCondition?: ForConditionCstNode[];
};

export interface ForConditionCstNode extends CstNode {
  name: "forCondition";
  children: ForConditionCstChildren;
}

export type ForConditionCstChildren = {
  If: IToken[];
  expression: ExpressionCstNode[];
};

export interface FunctionCallCstNode extends CstNode {
  name: "functionCall";
  children: FunctionCallCstChildren;
}

export type FunctionCallCstChildren = {
  Identifier: IToken[];
  LParen: IToken[];
  expression?: (ExpressionCstNode)[];
  Comma?: (IToken)[];
  Ellipsis?: IToken[];
  RParen: IToken[];
};

export interface ParenExpressionCstNode extends CstNode {
  name: "parenExpression";
  children: ParenExpressionCstChildren;
}

export type ParenExpressionCstChildren = {
  LParen: IToken[];
  expression: ExpressionCstNode[];
  RParen: IToken[];
};

export interface ICstNodeVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  file(children: FileCstChildren, param?: IN): OUT;
  body(children: BodyCstChildren, param?: IN): OUT;
  attribute(children: AttributeCstChildren, param?: IN): OUT;
  block(children: BlockCstChildren, param?: IN): OUT;
  blockLabel(children: BlockLabelCstChildren, param?: IN): OUT;
  expression(children: ExpressionCstChildren, param?: IN): OUT;
  operand(children: OperandCstChildren, param?: IN): OUT;
  templateExpression(children: TemplateExpressionCstChildren, param?: IN): OUT;
  heredocExpression(children: HeredocExpressionCstChildren, param?: IN): OUT;
  templateFile(children: TemplateFileCstChildren, param?: IN): OUT;
  templateInterpolation(children: TemplateInterpolationCstChildren, param?: IN): OUT;
  templateDirective(children: TemplateDirectiveCstChildren, param?: IN): OUT;
  listExpression(children: ListExpressionCstChildren, param?: IN): OUT;
  listItems(children: ListItemsCstChildren, param?: IN): OUT;
  objectExpression(children: ObjectExpressionCstChildren, param?: IN): OUT;
  objectItem(children: ObjectItemCstChildren, param?: IN): OUT;
  forIntro(children: ForIntroCstChildren, param?: IN): OUT;
  forListBody(children: ForListBodyCstChildren, param?: IN): OUT;
  forObjectBody(children: ForObjectBodyCstChildren, param?: IN): OUT;
  forCondition(children: ForConditionCstChildren, param?: IN): OUT;
  functionCall(children: FunctionCallCstChildren, param?: IN): OUT;
  parenExpression(children: ParenExpressionCstChildren, param?: IN): OUT;
}
